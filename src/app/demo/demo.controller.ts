import { Controller, Get, Header } from '@nestjs/common';
import { DEMO_PAGE } from './demo-page';

@Controller()
export class DemoController {
  /** The demo page. */
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return DEMO_PAGE;
  }
}
