/** Two public hosts whose robots.txt differ: the test origin serves these, and edge-guard must fetch, cache, serve and enforce each per host. */
export const ROBOTS_HOSTS = {
  "robots-a.test": "User-agent: *\nDisallow: /members/\n",
  "robots-b.test": "User-agent: *\nDisallow: /drafts/\n",
} as const;
