import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/guard';
import { ASYNCAPI_PATH, buildAsyncApiDocument } from './asyncapi-document';

/** The AsyncAPI document, next to Swagger's OpenAPI one (and, like it, not an operation of the REST API). */
@ApiExcludeController()
@Public()
@Controller(ASYNCAPI_PATH)
export class AsyncApiController {
  private readonly asyncApi = buildAsyncApiDocument();

  @Get()
  document(): Record<string, unknown> {
    return this.asyncApi;
  }
}
