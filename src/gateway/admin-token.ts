/**
 * The admin token: ATOLL_ADMIN_TOKEN when set; otherwise generated on first start and kept
 * in the data directory with mode 0600 (design.md §3).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdminToken {
  token: string;
  /** True when this start created it (it is printed once). */
  generated: boolean;
  source: 'config' | 'file' | 'generated';
}

export function loadAdminToken(dataDir: string, configured: string | undefined): AdminToken {
  if (configured) return { token: configured, generated: false, source: 'config' };
  const path = join(dataDir, 'admin-token');
  try {
    const token = readFileSync(path, 'utf8').trim();
    if (token.length >= 16) return { token, generated: false, source: 'file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const token = `atk_${randomBytes(24).toString('base64url')}`;
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'w' });
  return { token, generated: true, source: 'generated' };
}
