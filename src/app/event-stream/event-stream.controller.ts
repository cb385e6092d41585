import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  EventStreamService,
  type EventStreamWriter,
  TokenVerificationError,
} from '../../lib';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.constants';

/**
 * GET /events/stream: Server-Sent Events for clients that only listen
 * (dashboards, simple pages, curl). Authenticated as sockets are, with a
 * token in `Authorization: Bearer` or `?token=`; it streams what a socket of
 * that user in namespace `/` receives.
 */
@Controller('events')
export class EventStreamController {
  constructor(
    private readonly streams: EventStreamService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('stream')
  async stream(@Req() request: Request, @Res() response: Response) {
    let user;
    try {
      user = await this.streams.authenticate({
        headers: request.headers,
        query: request.query,
        address: request.ip,
      });
    } catch (error) {
      if (error instanceof TokenVerificationError) {
        response
          .status(401)
          .json({ statusCode: 401, message: 'unauthorized', code: error.code });
        return;
      }
      throw error;
    }
    // Sent with the first write, after the stream is open: a client that
    // sees the response has a stream that receives.
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      // nginx passes each event on at once instead of buffering the stream.
      'X-Accel-Buffering': 'no',
    });
    const writer: EventStreamWriter = {
      send: (event, data, id) => response.write(formatEvent(event, data, id)),
      end: (reason) => {
        response.end(formatEvent(reason, {}));
      },
    };
    const stream = await this.streams.open(user, writer);
    response.write(': connected\n\n');
    const heartbeat = setInterval(
      () => response.write(': heartbeat\n\n'),
      this.config.sseHeartbeatMs,
    );
    const close = () => {
      clearInterval(heartbeat);
      stream.close();
    };
    response.on('close', close);
    if (response.destroyed || response.writableEnded) {
      // The client left, or the token expired, while the stream opened.
      close();
    }
  }
}

/**
 * One Server-Sent Event. The data is JSON (on one line: JSON escapes line
 * breaks); line breaks in the event name or id would end the field, so they
 * are dropped.
 */
function formatEvent(event: string, data: unknown, id?: string): string {
  const line = (text: string) => text.replace(/[\r\n]/g, '');
  return (
    (id === undefined ? '' : `id: ${line(id)}\n`) +
    `event: ${line(event)}\ndata: ${JSON.stringify(data ?? null)}\n\n`
  );
}
