import { Module } from '@nestjs/common';
import { SocketStateService } from './socket-state.service';

/** Provides this instance's socket registry. */
@Module({
  providers: [SocketStateService],
  exports: [SocketStateService],
})
export class SocketStateModule {}
