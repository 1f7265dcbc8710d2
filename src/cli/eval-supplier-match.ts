import { type Command, InvalidArgumentError } from 'commander';
import { evaluateSearch, generateCatalogue, generateEvalRequests, type SearchEvalMode } from '../apps/supplier-match/index.js';
import { migrate, openDatabase, SupplierCatalogueRepository } from '../storage/index.js';

const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('must be a positive integer');
  return parsed;
};

/**
 * `tokenhub eval supplier-match`: the supplier search over a generated catalogue, in an in-memory database of its
 * own (no hub needed), scored on the generator's labelled seller requests: precision@5 and nDCG@10, once with
 * each request's constraints as filters (a model that read the request perfectly: the upper bound) and once with
 * the seller's sentence alone as text (full-text search with no model).
 */
export function registerSupplierMatchEval(evals: Command): void {
  evals
    .command('supplier-match')
    .description('score the supplier-match search on labelled seller requests: precision@5 and nDCG@10')
    .option('--size <n>', 'suppliers in the generated catalogue', positiveInteger, 3000)
    .option('--requests <n>', 'labelled seller requests', positiveInteger, 50)
    .option('--seed <n>', 'generator seed', positiveInteger)
    .option('--json', 'print the report as JSON')
    .action(async (options: { size: number; requests: number; seed?: number; json?: boolean }) => {
      const seed = options.seed !== undefined ? { seed: options.seed } : {};
      const suppliers = generateCatalogue({ ...seed, count: options.size });
      const requests = generateEvalRequests(suppliers, { ...seed, count: options.requests });
      const db = await openDatabase({});
      try {
        await migrate(db);
        const catalogue = new SupplierCatalogueRepository(db, 'ten_eval', 'ins_eval');
        await catalogue.insertMany(suppliers);
        const modes: SearchEvalMode[] = ['criteria', 'text'];
        const results = [];
        for (const mode of modes) results.push(await evaluateSearch(catalogue, requests, mode));
        if (options.json) {
          process.stdout.write(
            `${JSON.stringify(
              results.map(({ perRequest: _perRequest, ...summary }) => summary),
              null,
              2,
            )}\n`,
          );
          return;
        }
        process.stdout.write(`supplier-match search: ${suppliers.length} suppliers, ${requests.length} labelled requests\n\n`);
        process.stdout.write('| the search is asked with | precision@5 | nDCG@10 |\n|---|---|---|\n');
        const label: Record<SearchEvalMode, string> = {
          criteria: "the request's constraints as filters, its product as text (upper bound)",
          text: "the seller's sentence as text, no filters",
        };
        for (const result of results) {
          process.stdout.write(`| ${label[result.mode]} | ${result.precisionAt5.toFixed(3)} | ${result.ndcgAt10.toFixed(3)} |\n`);
        }
      } finally {
        await db.close();
      }
    });
}
