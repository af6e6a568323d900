// The part sizes of an S3 multipart object, for a target that fetches it part by part by URL and
// checks each part's MD5 against the `<md5 of part MD5s>-N` ETag (issue 15's copy-from-URL).
import { SourceChangedError } from './errors';
import { eachLimited } from './limited';
import { multipartEtagParts, unquoteEtag, type HeadAnswer } from './s3-common';

/** HEADs of parts in flight at once. */
const PART_HEAD_CONCURRENCY = 8;

/**
 * The sizes of the N parts of the object whose ETag is `etag` (`…-N`), from a HEAD of each part
 * (`headPart`, HeadObject with partNumber). Null when the ETag is no multipart one or the server does
 * not answer part HEADs (s3rver ignores partNumber and answers the whole object without
 * x-amz-mp-parts-count). An answer naming another multipart ETag (the object changed) is a
 * SourceChangedError; sizes of a version changed in between without that sign only fail the
 * target's multipart-ETag check. The caller checks that the sizes add up to the object's size.
 */
export async function partSizesOf(etag: string, headPart: (part: number) => Promise<HeadAnswer | null>, what: string): Promise<number[] | null> {
  const parts = multipartEtagParts(etag);
  if (parts === undefined) return null;
  const wanted = unquoteEtag(etag);
  const sizes = new Array<number>(parts);
  let unknown = false;
  const one = async (part: number): Promise<void> => {
    const answer = await headPart(part);
    if (!answer || answer.partsCount !== parts || !Number.isSafeInteger(answer.size) || answer.size <= 0) {
      unknown = true;
      return;
    }
    // AWS answers the object's ETag; moto the part's own MD5. Another multipart ETag is another version.
    const found = unquoteEtag(answer.etag);
    if (found !== wanted && multipartEtagParts(found) !== undefined) throw new SourceChangedError(`${what}: the object is no longer version ${wanted}: it is now ${found}`);
    sizes[part - 1] = answer.size;
  };
  // Part 1 first: a server that ignores partNumber is found out in one request.
  await one(1);
  if (unknown) return null;
  const rest = Array.from({ length: parts - 1 }, (_, i) => i + 2);
  await eachLimited(rest, PART_HEAD_CONCURRENCY, one);
  return unknown ? null : sizes;
}
