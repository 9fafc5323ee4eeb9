import { AppError } from '@app/common';

/** A command body that does not have the seed's shape: dead-lettered, never retried into success. */
export class MalformedMessageError extends AppError {
  constructor(reason: string) {
    super('malformed_message', `Malformed WhatsApp message: ${reason}`, 400);
  }
}

export class InvalidPhoneNumberError extends AppError {
  constructor() {
    super('invalid_phone_number', 'Enter a phone number in E.164 form, e.g. +221771234567.', 400);
  }
}

export class PhoneNumberTakenError extends AppError {
  constructor() {
    super('phone_number_taken', 'This phone number is already registered.', 409);
  }
}

export class WhatsappNumberNotFoundError extends AppError {
  constructor() {
    super('not_found', 'Not found.', 404);
  }
}

export class ValidationNotRequestedError extends AppError {
  constructor() {
    super('validation_not_requested', 'This number was never validated: request a validation first.', 409);
  }
}

export class SimulatorOnlyError extends AppError {
  constructor() {
    super('simulator_only', 'Simulated scans exist only with the simulator driver (WHATSAPP_DRIVER=simulator).', 409);
  }
}

/** The broker did not take the command in time (a RabbitMQ outage longer than the publish timeout). */
export class CommandNotSentError extends AppError {
  constructor() {
    super('bus_unavailable', 'The WhatsApp workers cannot be reached right now. Try again in a moment.', 503);
  }
}
