/**
 * The lazy module `form` (see sandbox/build.ts): Blob, File, FormData and their encodings.
 * Evaluating it registers it with the boot script's form-api.ts, through which the rest
 * of the runtime reaches it.
 */

import { formParse, registerFormModule, registerPlatformClass, utf8Decode } from '../kit.ts';
import { Blob, File, blobInternals, fileInternals, makeBlob, makeFile, normaliseType } from './blob.ts';
import { FormData, formDataInternals } from './form-data.ts';
import { parseMultipart, serialiseMultipart } from './multipart.ts';

/** application/x-www-form-urlencoded bytes (UTF-8, a BOM kept as U+FEFF) as a FormData of strings. */
function parseUrlencodedForm(bytes: Uint8Array): FormData {
  const pairs = formParse(utf8Decode(bytes));
  const fd = new FormData();
  for (let i = 0; i < pairs.length; i++) formDataInternals.append(fd, pairs[i]![0], pairs[i]![1]);
  return fd;
}

// Blob and File are [Serializable] (File API): a clone holds the same bytes, which no Blob ever
// writes. FormData is not. File registers after Blob, so a File clones as a File.
registerPlatformClass(Blob, blobInternals.isBlob, (b) => makeBlob(blobInternals.bytes(b as Blob), blobInternals.type(b as Blob)));
registerPlatformClass(File, fileInternals.isFile, (f) => {
  const file = f as File;
  return makeFile(blobInternals.bytes(file), fileInternals.name(file), blobInternals.type(file), fileInternals.lastModified(file));
});
registerPlatformClass(FormData, formDataInternals.isFormData);

registerFormModule({
  Blob,
  File,
  FormData,
  isBlob: blobInternals.isBlob,
  blobBytes: blobInternals.bytes,
  createBlob: (bytes, type) => makeBlob(bytes, normaliseType(type)),
  isFormData: formDataInternals.isFormData,
  serialiseMultipart,
  parseMultipart,
  parseUrlencodedForm,
});
