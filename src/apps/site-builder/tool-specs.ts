/** The site-builder's tools: the builder agent's (`write_file`, `list_files`, `site_check`) and the workflow's steps'. */
export const TOOL_SPECS = {
  site_intake: {
    description: "Reads the owner's intake form: defaults filled in, the slug, and the answers still missing.",
    idempotent: true,
    parameters: { type: 'object', required: ['form'], additionalProperties: false, properties: { form: { type: 'object' } } },
  },
  site_answers: {
    description: "Merges the owner's answers to the intake's questions into it; what stays blank stays missing.",
    idempotent: true,
    parameters: {
      type: 'object',
      required: ['intake'],
      additionalProperties: false,
      properties: {
        intake: { type: 'object' },
        offering: { description: 'The question step for the offering: its output, or null when not asked.' },
        location: { description: 'The question step for the location.' },
        contact: { description: 'The question step for the contact.' },
      },
    },
  },
  site_plan: {
    description: "Settles the plan the build follows: the drafted one, or the owner's edit of it (checked against the plan's schema).",
    idempotent: true,
    parameters: {
      type: 'object',
      required: ['drafted'],
      additionalProperties: false,
      properties: { drafted: { type: 'object' }, approval: { description: "The approval step's output." } },
    },
  },
  write_file: {
    description: 'Writes one file of the site (relative path, text content), replacing it if it exists.',
    idempotent: true,
    parameters: {
      type: 'object',
      required: ['path', 'content'],
      additionalProperties: false,
      properties: {
        path: { type: 'string', description: 'index.html, zh/index.html, site.css, logo.svg, …' },
        content: { type: 'string' },
      },
    },
  },
  list_files: {
    description: 'Lists the files written so far, with their sizes.',
    idempotent: true,
    parameters: { type: 'object', additionalProperties: false, properties: {} },
  },
  site_check: {
    description: 'Checks every page: HTML validity, title, description, lang, alt text, nothing external, axe-core in Chromium.',
    idempotent: true,
    parameters: { type: 'object', additionalProperties: false, properties: {} },
  },
  site_publish: {
    description: 'Publishes the checked site as the next version at /sites/{tenant}/{slug}/ (the previous version is kept).',
    idempotent: false,
    parameters: {
      type: 'object',
      required: ['slug', 'business_name', 'solution'],
      additionalProperties: false,
      properties: {
        slug: { type: 'string' },
        business_name: { type: 'string' },
        language: { type: 'string' },
        solution: { type: 'object' },
      },
    },
  },
} as const;
export type SiteToolName = keyof typeof TOOL_SPECS;
