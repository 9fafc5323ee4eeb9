import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { AppError } from '@app/common';
import { INestApplication } from '@nestjs/common';

/** Another process (a second Hourglass, or any other program) listens on the port. */
export class PortInUseError extends AppError {
  constructor(port: number) {
    super(
      'port_in_use',
      `port ${port} is already in use (another Hourglass or another program): stop it or set PORT.`,
      500,
    );
  }
}

/** A port below 1024 without the privilege to bind it. */
export class PortNotPermittedError extends AppError {
  constructor(port: number) {
    super(
      'port_not_permitted',
      `port ${port} needs privileges this process does not have: set PORT to 1024 or above.`,
      500,
    );
  }
}

/** The error to show for a failed listen on `port`, when the user can fix it; `undefined` otherwise. */
export function listenFailure(error: unknown, port: number): AppError | undefined {
  switch ((error as { code?: unknown } | null)?.code) {
    case 'EADDRINUSE':
      return new PortInUseError(port);
    case 'EACCES':
      return new PortNotPermittedError(port);
    default:
      return undefined;
  }
}

/** `app.listen(port)`; resolves with the port it listens on (PORT=0: the one chosen). */
export async function listen(app: INestApplication<Server>, port: number): Promise<number> {
  try {
    await app.listen(port);
  } catch (error) {
    throw listenFailure(error, port) ?? error;
  }
  return (app.getHttpServer().address() as AddressInfo).port;
}
