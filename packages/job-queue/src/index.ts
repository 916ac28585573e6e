export * from "./job-tasks";
export * from "./job-queue";
