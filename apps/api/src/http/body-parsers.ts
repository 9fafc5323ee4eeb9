import { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { JsonParseError, PayloadTooLargeError } from './request-errors';

const BODY_LIMIT = '100kb';

interface BodyParserError extends Error {
  type?: string;
}

/**
 * JSON and form bodies (DRF accepts both), with parser failures turned into typed errors so the
 * global filter answers 400/413 with `{detail, code}` instead of an HTML page or a 500.
 */
export function useBodyParsers(app: INestApplication): void {
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  app.use((error: BodyParserError, _req: Request, _res: Response, next: NextFunction) => {
    if (error.type === 'entity.parse.failed') {
      return next(new JsonParseError(error.message));
    }
    if (error.type === 'entity.too.large') {
      return next(new PayloadTooLargeError(BODY_LIMIT));
    }
    return next(error);
  });
}
