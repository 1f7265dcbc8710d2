import { z } from 'zod';

/** The languages a site can be written in; every site has at least one, and English and Chinese are both shipped. */
export const SITE_LANGUAGES = ['en', 'zh'] as const;
export type SiteLanguage = (typeof SITE_LANGUAGES)[number];

export const SITE_TONES = ['friendly', 'professional', 'playful', 'elegant'] as const;

const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

const text = (max: number) => z.string().trim().max(max);

/**
 * The owner's intake form. Everything but the business's name has a default or may be left for later: what
 * is left blank and matters for the site is listed by `missingAnswers`, for the agent to ask in the thread.
 */
export const siteIntakeSchema = z
  .object({
    business_name: text(120).min(1),
    /** What it sells or does, in the owner's words. */
    offering: text(2000).default(''),
    /** Where: a town, a neighbourhood, "online". */
    location: text(200).default(''),
    contact: z
      .object({
        email: z.email().max(200).optional(),
        phone: text(40).optional(),
        address: text(300).optional(),
      })
      .strict()
      .default({}),
    tone: z.enum(SITE_TONES).default('friendly'),
    colours: z
      .object({
        primary: z.string().regex(HEX_COLOUR, 'a colour as #rrggbb').default('#1f5f8b'),
        accent: z.string().regex(HEX_COLOUR, 'a colour as #rrggbb').default('#b3541e'),
      })
      .strict()
      .default({ primary: '#1f5f8b', accent: '#b3541e' }),
    languages: z
      .array(z.enum(SITE_LANGUAGES))
      .min(1)
      .default(['en', 'zh'])
      .transform((languages) => [...new Set(languages)]),
    /** The site's address part (`/sites/{tenant}/{slug}/`); default: from the business's name. */
    slug: z.string().regex(SLUG, 'lowercase letters, digits and inner hyphens, at most 48').optional(),
  })
  .strict();

export type SiteIntakeInput = z.input<typeof siteIntakeSchema>;
export type SiteIntake = Omit<z.output<typeof siteIntakeSchema>, 'slug'> & { slug: string };

/** A question for an answer the intake left blank, in each language the site is written in. */
export interface MissingAnswer {
  field: 'offering' | 'location' | 'contact';
  question: Record<SiteLanguage, string>;
}

const QUESTIONS: Record<MissingAnswer['field'], Record<SiteLanguage, string>> = {
  offering: { en: 'What does the business sell or do?', zh: '您的企业销售什么产品或提供什么服务？' },
  location: { en: 'Where is the business (a town, a neighbourhood, or online)?', zh: '您的企业位于哪里（城市、街区，或仅在线）？' },
  contact: { en: 'How should customers reach you (email, phone or address)?', zh: '客户应如何联系您（电子邮件、电话或地址）？' },
};

/** A slug from the business's name; a name with no Latin letters or digits (a Chinese one) gives `site`. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug.length > 0 ? slug : 'site';
}

export type IntakeOutcome =
  | { ok: true; intake: SiteIntake; missing: MissingAnswer[] }
  | { ok: false; problems: { path: string; message: string }[] };

/** Reads an intake form: defaults filled in, the slug settled, and the answers still missing listed. */
export function readIntake(input: unknown): IntakeOutcome {
  const parsed = siteIntakeSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || '(form)', message: issue.message })),
    };
  }
  const intake: SiteIntake = { ...parsed.data, slug: parsed.data.slug ?? slugOf(parsed.data.business_name) };
  return { ok: true, intake, missing: missingAnswers(intake) };
}

export function missingAnswers(intake: SiteIntake): MissingAnswer[] {
  const missing: MissingAnswer['field'][] = [];
  if (intake.offering.length === 0) missing.push('offering');
  if (intake.location.length === 0) missing.push('location');
  if (!intake.contact.email && !intake.contact.phone && !intake.contact.address) missing.push('contact');
  return missing.map((field) => ({ field, question: QUESTIONS[field] }));
}

/** A question step's outcome as the workflow hands it over: the human step's output, or null when it was not asked. */
const askedSchema = z
  .object({ approved: z.boolean(), values: z.record(z.string(), z.unknown()).nullish() })
  .nullish()
  .catch(null);

export interface AnsweredIntake {
  intake: SiteIntake;
  missing: MissingAnswer[];
  /** Fields the owner answered, and fields asked and skipped (rejected, or left blank). */
  answered: MissingAnswer['field'][];
  skipped: MissingAnswer['field'][];
  /** Answers that were given but could not be used (an email that is not one), with why. */
  ignored: { field: string; message: string }[];
}

const blank = (value: unknown): boolean => value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/**
 * The owner's answers to the intake's questions merged into it: only the answers that were missing are filled
 * in, each checked as the form checks it; what stays blank stays missing (the plan turns it into next steps).
 */
export function mergeAnswers(intake: SiteIntake, asked: Partial<Record<MissingAnswer['field'], unknown>>): AnsweredIntake {
  let merged: SiteIntake = intake;
  const answered: MissingAnswer['field'][] = [];
  const skipped: MissingAnswer['field'][] = [];
  const ignored: AnsweredIntake['ignored'] = [];
  /** `patch` applied if the form still reads with it; otherwise the answer is reported and left out. */
  const apply = (field: string, patch: Partial<SiteIntake>): boolean => {
    const outcome = readIntake({ ...merged, ...patch });
    if (outcome.ok) {
      merged = outcome.intake;
      return true;
    }
    ignored.push({ field, message: outcome.problems.map((problem) => problem.message).join('; ') });
    return false;
  };
  for (const missing of missingAnswers(intake)) {
    const step = askedSchema.parse(asked[missing.field]);
    if (step === null || step === undefined) continue;
    const values = step.approved ? (step.values ?? {}) : {};
    let used = false;
    if (missing.field === 'contact') {
      const contact: SiteIntake['contact'] = {};
      for (const part of ['email', 'phone', 'address'] as const) {
        const value = values[part];
        if (blank(value)) continue;
        if (apply(`contact.${part}`, { contact: { ...merged.contact, [part]: String(value).trim() } }))
          contact[part] = String(value).trim();
      }
      used = Object.keys(contact).length > 0;
    } else if (!blank(values[missing.field])) {
      used = apply(missing.field, { [missing.field]: String(values[missing.field]).trim() });
    }
    (used ? answered : skipped).push(missing.field);
  }
  return { intake: merged, missing: missingAnswers(merged), answered, skipped, ignored };
}

/** The question step's answer: a question to the owner for each missing answer, in the site's languages. */
export const ownerQuestionsSchema = z
  .object({
    offering: z.string().min(1).max(2000).optional(),
    location: z.string().min(1).max(2000).optional(),
    contact: z.string().min(1).max(2000).optional(),
  })
  .strict();

export const OWNER_QUESTIONS_JSON_SCHEMA = z.toJSONSchema(ownerQuestionsSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
