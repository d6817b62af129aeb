import { Controller, Get } from '@nestjs/common';
import { AsyncApiService } from './asyncapi.service.js';

/** The protocol as an AsyncAPI 3.0 document. */
@Controller()
export class AsyncApiController {
  constructor(private readonly asyncApi: AsyncApiService) {}

  @Get('asyncapi.json')
  document(): Record<string, unknown> {
    return this.asyncApi.document;
  }
}
