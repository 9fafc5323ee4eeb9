import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

/**
 * A fresh PGlite data directory costs ~3 s of initdb; a copy of a cleanly closed one costs
 * ~0.1 s and is the same bytes. The template is made once per machine and PGlite version,
 * under a name that is renamed into place whole, so racing Jest workers never see half of it.
 */
export async function copyPgliteTemplate(target: string): Promise<void> {
  const template = join(tmpdir(), `hourglass-pglite-template-${pgliteVersion()}`);
  if (!existsSync(template)) {
    await buildTemplate(template);
  }
  await mkdir(dirname(target), { recursive: true });
  await cp(template, target, { recursive: true });
}

async function buildTemplate(template: string): Promise<void> {
  const building = `${template}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    // Same options as EmbeddedPostgres opens it with: keep them in step.
    const db = await PGlite.create({ dataDir: building });
    await db.close();
    await rename(building, template);
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    // Losing the rename to another worker that made it first is fine; anything else is a failure.
    if (!existsSync(template)) {
      throw error;
    }
  }
}

function pgliteVersion(): string {
  // The package does not export its package.json; it sits two levels above the CommonJS entry.
  const entry = require.resolve('@electric-sql/pglite');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}
