import type { ErrorObject } from "ajv";

/** Validates a Facts object against schema/facts.schema.json (generated standalone Ajv code). */
declare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
export default validate;
