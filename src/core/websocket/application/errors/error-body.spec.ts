import { ForbiddenException, HttpException, HttpStatus } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { toErrorBody } from './error-body.js';
import { RealtimeException } from './realtime.exception.js';

describe('toErrorBody', () => {
  it('answers a RealtimeException with its code, message and details', () => {
    expect(toErrorBody(new RealtimeException('FORBIDDEN', 'Not your room'))).toEqual({ code: 'FORBIDDEN', message: 'Not your room' });
    expect(toErrorBody(new RealtimeException('BAD_REQUEST', 'The request is not valid', [{ path: 'text' }]))).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request is not valid',
      details: [{ path: 'text' }],
    });
  });

  it("maps Nest's HTTP exceptions to the nearest code with their message, and the others to INTERNAL", () => {
    expect(toErrorBody(new ForbiddenException('Forbidden resource'))).toEqual({ code: 'FORBIDDEN', message: 'Forbidden resource' });
    expect(toErrorBody(new HttpException('Slow down', HttpStatus.TOO_MANY_REQUESTS))).toEqual({
      code: 'RATE_LIMITED',
      message: 'Slow down',
    });
    expect(toErrorBody(new HttpException('teapot internals', HttpStatus.I_AM_A_TEAPOT))).toEqual({
      code: 'INTERNAL',
      message: 'Internal server error',
    });
  });

  it('maps a WsException to BAD_REQUEST, or to the protocol code it names', () => {
    expect(toErrorBody(new WsException('No such room'))).toEqual({ code: 'BAD_REQUEST', message: 'No such room' });
    expect(toErrorBody(new WsException({ code: 'NOT_FOUND', message: 'No such room' }))).toEqual({
      code: 'NOT_FOUND',
      message: 'No such room',
    });
    expect(toErrorBody(new WsException({ code: 'MADE_UP', message: 42 }))).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request was refused',
    });
  });

  it('answers anything else with INTERNAL and nothing of what happened inside', () => {
    expect(toErrorBody(new Error('password=hunter2'))).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
    expect(toErrorBody('a string')).toEqual({ code: 'INTERNAL', message: 'Internal server error' });
  });
});
