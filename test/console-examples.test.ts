// The console's example items: each fits its unit (a road for the transport bureau), no two alike, and nothing in
// them is tied to a season or a month, so they read right whenever someone presses 生成示例事项. Pure.
import { describe, expect, it } from 'vitest';
import { loadDirectoryFile } from '../src/directory/load-directory.ts';
import { exampleTopics } from '../src/platforms/console/examples.ts';

describe('example topics', () => {
  it('fit each unit of the example directory, none twice, none tied to a season or month', async () => {
    const dir = await loadDirectoryFile('directory.example.yaml');
    const names = dir.allUnits().map((u) => u.name);
    const topics = exampleTopics(names);
    expect(topics[names.indexOf('市交通运输局')]!.title).toMatch(/道|路/);
    expect(topics[names.indexOf('市教育局')]!.title).toMatch(/学校|校园/);
    expect(new Set(topics.map((t) => t.title)).size).toBe(names.length);
    const text = JSON.stringify(topics);
    expect(text).not.toMatch(/汛|防暑|高温|冬|夏|春节|国庆|中秋|寒假|暑假|年底|月底|\d+\s*月/);
  });

  it('give any unit something to do, even one whose name says nothing of its work', () => {
    const [a, b] = exampleTopics(['某某单位', '另一单位']);
    expect(a!.title).not.toBe(b!.title);
    expect(a!.progress).not.toBe('');
  });
});
