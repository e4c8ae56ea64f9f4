/** A tiny XML writer for the query protocols: escaped text, nested fields, and lists of `<member>` or `<item>`. */

export type XmlValue = string | number | boolean | null | undefined | XmlFields | XmlValue[];
export interface XmlFields {
  [name: string]: XmlValue;
}

/** Characters XML 1.0 cannot carry at all, even as references: replaced so the document stays well-formed. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the control characters is the point.
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  return text
    .replace(NOT_XML_CHAR, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/**
 * Renders `<name>value</name>`. Objects render their fields in order, arrays render one `<itemName>` per element
 * (IAM/STS use "member", EC2 uses "item"), null and undefined fields are left out, an empty array is `<name/>`.
 */
export function renderXml(name: string, value: XmlValue, itemName: string): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) {
    if (value.length === 0) return `<${name}/>`;
    return `<${name}>${value.map((item) => renderXml(itemName, item, itemName)).join("")}</${name}>`;
  }
  if (typeof value === "object") {
    const inner = Object.entries(value)
      .map(([field, fieldValue]) => renderXml(field, fieldValue, itemName))
      .join("");
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** The XML declaration real AWS query endpoints start with. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
