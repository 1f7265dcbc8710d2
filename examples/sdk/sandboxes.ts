// Code in three lines: make a sandbox, run Python in it, read what it wrote. State and files last between calls.
import { TokenHub } from 'tokenhub/sdk';

const hub = new TokenHub(); // a key with the `sandboxes` scope
const box = await hub.sandboxes.create();
const { stdout } = await box.code.run('python', 'print(6 * 7)');
console.log(stdout); // 42

await box.files.write('data/orders.csv', 'id,total\n1,20\n2,22\n');
const run = await box.code.run(
  'python',
  'import csv\nrows = list(csv.DictReader(open("data/orders.csv")))\nopen("report.txt", "w").write(f"{len(rows)} orders")\nsum(int(r["total"]) for r in rows)',
);
console.log(run.result, run.error?.message ?? 'no error', `$${run.cost_usd}`); // 42 no error $0.0000…
console.log(await box.files.readText('report.txt')); // 2 orders

await box.keep('orders'); // the files outlive the sandbox
await box.delete();
const next = await hub.sandboxes.create({ workspace: 'orders', timeoutS: 600 });
console.log((await next.files.list()).data.map((file) => file.path)); // ['data/orders.csv', 'report.txt']
await next.delete();
