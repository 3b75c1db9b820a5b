/**
 * The boot script's side of the lazy module `form` (Blob, File, FormData and their
 * encodings, in form/): what the rest of the runtime uses of them, Request and Response
 * bodies above all. The module is evaluated the first time a Blob or FormData has to be
 * made; until then none can exist, so the checks answer without loading it.
 */

import type { Blob, File } from './form/blob.ts';
import type { FormData } from './form/form-data.ts';
import { lazyModule } from '../lazy.ts';
import { TypeError_, Uint8Array_ } from '../primordials.ts';
import { toArrayBuffer } from './buffer-source.ts';
import { streams } from './streams.ts';

/** What the lazy module hands over when it is evaluated (see form/index.ts). */
export interface FormModule {
  Blob: typeof Blob;
  File: typeof File;
  FormData: typeof FormData;
  isBlob(v: unknown): v is Blob;
  blobBytes(b: Blob): Uint8Array;
  createBlob(bytes: Uint8Array, type: string): Blob;
  isFormData(v: unknown): v is FormData;
  serialiseMultipart(fd: FormData): { bytes: Uint8Array; contentType: string };
  parseMultipart(bytes: Uint8Array, contentType: string): FormData;
  parseUrlencodedForm(bytes: Uint8Array): FormData;
}

let form: FormModule | null = null;

/** Called by the lazy module as it is evaluated (or by a test that imports it directly); only the first call counts. */
export function registerFormModule(m: FormModule): void {
  form ??= m;
}

function load(): FormModule {
  if (form === null) lazyModule('form');
  return form!;
}

/** True for a Blob (or File) of this runtime. */
export function isBlob(v: unknown): v is Blob {
  return form !== null && form.isBlob(v);
}

/** The bytes of Blob `b` (shared, never to be written); a TypeError for anything else. */
export function blobBytes(b: unknown): Uint8Array {
  if (form === null || !form.isBlob(b)) throw new TypeError_('Expected a Blob');
  return form.blobBytes(b);
}

/** A Blob holding `bytes` (not copied: the caller gives them up); `type` is normalised as the Blob constructor does. */
export function createBlob(bytes: Uint8Array, type: string): Blob {
  return load().createBlob(bytes, type);
}

/** True for a FormData of this runtime. */
export function isFormData(v: unknown): v is FormData {
  return form !== null && form.isFormData(v);
}

/** `fd` encoded as multipart/form-data with a fresh random boundary, and the Content-Type naming it. */
export function serialiseMultipart(fd: FormData): { bytes: Uint8Array; contentType: string } {
  if (form === null || !form.isFormData(fd)) throw new TypeError_('Expected a FormData');
  return form.serialiseMultipart(fd);
}

/** Parses a multipart/form-data body; a TypeError when it is malformed or the boundary is missing. */
export function parseMultipart(bytes: Uint8Array, contentType: string): FormData {
  return load().parseMultipart(bytes, contentType);
}

/** Parses an application/x-www-form-urlencoded body. */
export function parseUrlencodedForm(bytes: Uint8Array): FormData {
  return load().parseUrlencodedForm(bytes);
}

/** The interfaces to install as globals (loads the module). */
export function formInterfaces(): Record<string, Function> {
  const m = load();
  return { Blob: m.Blob, File: m.File, FormData: m.FormData };
}

/** A ReadableStream of a copy of `bytes` (a Blob's bytes are shared and immutable; the stream's chunks are the reader's to keep), for Blob#stream(). */
export function blobStream(bytes: Uint8Array): unknown {
  return streams().bodyStreams.fromBytes(new Uint8Array_(toArrayBuffer(bytes)));
}
