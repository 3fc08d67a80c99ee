// The project service's face: what other services use of the project's Durable Object and issue state.

export {
  compareReleasesBySemver,
  type IssueStatus,
  type ReleaseComparator,
  type Resolution,
} from "./issue-lifecycle.ts";
export {
  deleteIssues,
  forgetProjectIssues,
  type IssueFields,
  type IssueTarget,
  setIssuesFields,
  setIssuesIgnoreDetails,
  setIssuesStatus,
} from "./issue-mutations.ts";
