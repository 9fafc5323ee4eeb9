import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** The error body of every endpoint whose contract fixes no other shape (Swagger's side of `ErrorBody`). */
@ApiSchema({
  name: 'Error',
  description:
    'Every error answer: a sentence for a person and a stable code for a program. Some codes add fields ' +
    '(`errors`, `pointsRestored`, `retryAfterSeconds`, `status`, `errorId` on a 500…): see each example.',
})
export class ErrorBodyDto {
  @ApiProperty({ description: 'What went wrong, as a sentence.', example: 'Not found.' }) detail!: string;
  @ApiProperty({ description: 'A stable identifier of the error.', example: 'not_found' }) code!: string;
}

/** `invalid`: a body, query or path parameter that fails its checks. */
@ApiSchema({ name: 'InvalidInput' })
export class InvalidInputDto extends ErrorBodyDto {
  @ApiProperty({
    description: "One message per refused field, under the field's name as the client sends it.",
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    example: { points: ['This field is required.'] },
  })
  errors!: Record<string, string[]>;
}

export class TokenMessageDto {
  @ApiProperty({ example: 'AccessToken' }) token_class!: string;
  @ApiProperty({ example: 'access' }) token_type!: string;
  @ApiProperty({ example: 'Token is expired' }) message!: string;
}

/** simplejwt's 401 (`token_not_valid`), with `messages` when an access token was refused. */
@ApiSchema({ name: 'TokenNotValid' })
export class TokenNotValidDto extends ErrorBodyDto {
  @ApiPropertyOptional({ type: [TokenMessageDto], description: 'Why each token class refused the token.' })
  messages?: TokenMessageDto[];
}
