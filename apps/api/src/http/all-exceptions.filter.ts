import { randomUUID } from 'node:crypto';
import { AuthError } from '@app/auth';
import { AppError } from '@app/common';
import { isDatabaseUnavailable } from '@app/database';
import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { Request, Response } from 'express';
import { simplejwtAnswer } from '../auth/simplejwt-errors';
import { requestId } from './access-log';
import { ErrorBody, codeForStatus } from './error-body';
import { ExactHttpError } from './exact-http-error';
import { loggableUrl } from './loggable-url';
import { RouteTable } from './route-table';

/**
 * The one place where errors become HTTP answers. An `ExactHttpError` is sent verbatim; the auth
 * lib's errors become simplejwt's exact bodies and headers (auth/simplejwt-errors.ts); other
 * domain errors (`AppError`) carry their code and status; Nest's HTTP exceptions get a stable code
 * from their status, and one whose response is already an object with `detail` is sent as is.
 * Anything else is a bug: logged with its stack, answered 500 without it but with an `errorId`
 * that the log line carries too, so a client's report leads to the stack (as Novu's filter does).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  constructor(private readonly routes: () => RouteTable | undefined) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      throw exception;
    }
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body: answer, headers } = this.answer(exception, request);
    let body = answer;
    // `reqId` ties the line to the request's access line.
    const reqId = requestId(request);
    if (status === Number(HttpStatus.SERVICE_UNAVAILABLE)) {
      this.logger.warn(
        { reqId, method: request.method, url: loggableUrl(request.originalUrl) },
        `${request.method} ${request.path} answered 503: ${exception instanceof Error ? exception.message : String(exception)}`,
      );
    } else if (status >= 500) {
      const errorId = randomUUID();
      body = { ...answer, errorId };
      this.logger.error(
        { err: exception, errorId, reqId, method: request.method, url: loggableUrl(request.originalUrl) },
        `Unhandled error ${errorId} on ${request.method} ${request.path}`,
      );
    }
    if (response.headersSent) {
      return;
    }
    for (const [name, value] of Object.entries(headers)) {
      response.setHeader(name, value);
    }
    response.status(status).json(body);
  }

  private answer(
    exception: unknown,
    request: Request,
  ): { status: number; body: object; headers: Record<string, string> } {
    const exact = exception instanceof AuthError ? simplejwtAnswer(exception) : exception;
    if (exact instanceof ExactHttpError) {
      return { status: exact.status, body: exact.body, headers: exact.headers };
    }
    if (exception instanceof AppError) {
      return {
        status: exception.status,
        body: { detail: exception.message, code: exception.code, ...exception.extra },
        headers: {},
      };
    }
    if (this.isUnroutedRequest(exception, request)) {
      const allowed = this.routes()?.allowedMethods(request.path) ?? [];
      if (allowed.length > 0) {
        // DRF's exact body (CONTRACT §3): simplejwt clients compare it as is.
        const body = { detail: `Method "${request.method}" not allowed.` };
        return { status: HttpStatus.METHOD_NOT_ALLOWED, body, headers: { Allow: allowed.join(', ') } };
      }
      const body: ErrorBody = { detail: 'Not found.', code: 'not_found' };
      return { status: HttpStatus.NOT_FOUND, body, headers: {} };
    }
    if (exception instanceof HttpException) {
      return { status: exception.getStatus(), body: this.httpExceptionBody(exception), headers: {} };
    }
    if (isDatabaseUnavailable(exception)) {
      const body: ErrorBody = {
        detail: 'The database is unavailable. Try again in a few seconds.',
        code: 'database_unavailable',
      };
      return { status: HttpStatus.SERVICE_UNAVAILABLE, body, headers: { 'Retry-After': '5' } };
    }
    const body: ErrorBody = { detail: 'A server error occurred.', code: 'internal_error' };
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, body, headers: {} };
  }

  private httpExceptionBody(exception: HttpException): object {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && 'detail' in response) {
      return response;
    }
    const detail = status >= 500 ? defaultServerDetail(status) : sentence(exception.message);
    const body: ErrorBody = { detail, code: codeForStatus(status) };
    // Keep a structured body a library built (terminus' health report) unless it is Nest's own
    // `{statusCode, message, error}`, which `detail` already says.
    return typeof response === 'object' && !('statusCode' in response) ? { ...body, ...response } : body;
  }

  /** Nest's own 404 for a path no controller serves: `Cannot GET /x`. */
  private isUnroutedRequest(exception: unknown, request: Request): boolean {
    return exception instanceof NotFoundException && exception.message.startsWith(`Cannot ${request.method} `);
  }
}

function defaultServerDetail(status: number): string {
  return status === Number(HttpStatus.SERVICE_UNAVAILABLE) ? 'The service is unavailable.' : 'A server error occurred.';
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
