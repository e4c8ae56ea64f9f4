import { shortName } from "../../src/arn/arn.ts";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** ecs-scope's wording, by message id. */
export const messages = {
  /** Nothing to stop is not unsafe, but a gate that checked nothing should say so. */
  noClusters: (d: { region: string }) =>
    `No ECS cluster in scope in ${d.region}: nothing was checked for tasks. If you expected clusters, check --region and the credentials' account.`,
  attachmentWithoutRole: (d: { task: string; lastStatus: string; cluster: string; volumeId?: string }) =>
    `Task ${shortName(d.task)} (${d.lastStatus}, cluster ${d.cluster}) has an EBS attachment${d.volumeId ? ` for ${d.volumeId}` : ""} that names no infrastructure role: the role that must detach and delete its volume could not be checked.`,
  read: (d: {
    cluster: string;
    services: number;
    tasks: number;
    capacityProviders: number;
    expressServices: number;
  }) =>
    `Cluster ${d.cluster}: read ${plural(d.services, "service")}${d.capacityProviders ? `, ${plural(d.capacityProviders, "capacity provider")}` : ""}${d.expressServices ? `, ${plural(d.expressServices, "Express service")}` : ""} and ${plural(d.tasks, "task")}; every live EBS attachment names its role.`,
  /** A Managed Instances capacity provider or an Express service that names no role. */
  useWithoutRole: (d: { what: string; cluster: string }) =>
    `${d.what} (cluster ${d.cluster}) names no infrastructure role: the role it needs could not be checked.`,
  notAnswered: (d: { task: string }) =>
    `Task ${shortName(d.task)} was named with --task, but ECS answered neither the task nor a failure for it: nothing about it was verified.`,
};
