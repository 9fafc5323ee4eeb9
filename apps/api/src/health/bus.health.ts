import { MessageBus } from '@app/messaging';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';

/** Ready only while the bus can publish (always true for the in-process bus). */
@Injectable()
export class BusHealthIndicator {
  constructor(
    private readonly bus: MessageBus,
    private readonly indicators: HealthIndicatorService,
  ) {}

  check(key = 'bus') {
    const indicator = this.indicators.check(key);
    return this.bus.isConnected()
      ? indicator.up()
      : indicator.down({ message: 'The message broker is not reachable.' });
  }
}
