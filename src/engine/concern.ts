/**
 * What a rule's finding is about, so the headline can say which question failed: stopping tasks (the page's
 * question), deploying and running services, or changing the role. Each rule names one in its metadata.
 */
export const CONCERNS = ["stopping-tasks", "deploying-services", "changing-the-role"] as const;
export type Concern = (typeof CONCERNS)[number];

/** Each concern as a person reads it (rule docs, the README). */
export const CONCERN_TITLES: Record<Concern, string> = {
  "stopping-tasks": "stopping tasks",
  "deploying-services": "deploying and running services",
  "changing-the-role": "changing the role",
};
