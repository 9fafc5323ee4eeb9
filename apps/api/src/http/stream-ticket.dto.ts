import { ApiProperty } from '@nestjs/swagger';

/** `POST …/events/ticket/`: what opens an event stream without an `Authorization` header. */
export class StreamTicketDto {
  @ApiProperty({
    example: 'pQx3v9Yh0s2kT6bN1mRf8cLwZ4aJ7eUoD5gHiKqSjVy',
    description: 'Opens the stream once: `GET …/events/?ticket=<ticket>`. A credential: keep it out of logs.',
  })
  ticket!: string;

  @ApiProperty({ example: 60, description: 'Seconds left to open the stream with it.' })
  expires_in!: number;
}
