/**
 * Decodes a change file's bytes. Terraform and the AWS CLI write UTF-8; Windows PowerShell's `>` rewrites it as
 * UTF-16LE with a byte-order mark, and some editors add a UTF-8 BOM.
 */
export function decodeChangeFile(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder("utf-8").decode(bytes.subarray(3));
  // UTF-16LE without a BOM: ASCII JSON then has a NUL after every character.
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[3] === 0)
    return new TextDecoder("utf-16le").decode(bytes);
  return new TextDecoder("utf-8").decode(bytes);
}
