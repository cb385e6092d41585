import { Injectable } from '@nestjs/common';

/** Whether this instance is draining: told to stop, and answering 503 to probes. */
@Injectable()
export class ShutdownState {
  private draining = false;

  get isDraining(): boolean {
    return this.draining;
  }

  startDraining(): void {
    this.draining = true;
  }
}
