import { Controller, Get } from '@nestjs/common';
import { RealtimeAsyncApi } from './asyncapi.service.js';

/** The wire protocol of this app as an AsyncAPI 3.0 document. */
@Controller()
export class RealtimeAsyncApiController {
  constructor(private readonly asyncApi: RealtimeAsyncApi) {}

  @Get('asyncapi.json')
  document(): Record<string, unknown> {
    return this.asyncApi.document;
  }
}
