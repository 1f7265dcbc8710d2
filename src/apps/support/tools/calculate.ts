import { evaluateArithmetic, PythonError } from '../python/expression.js';
import { pyFloatRepr, pyRound } from '../python/numbers.js';
import { defineTool, ToolError } from './tool.js';

const ALLOWED = /^[0-9+\-*/(). ]*$/;

export const calculate = defineTool({
  name: 'calculate',
  kind: 'generic',
  description: 'Calculate the result of a mathematical expression.',
  parameters: [
    {
      name: 'expression',
      type: 'string',
      description:
        "The mathematical expression to calculate, such as '2 + 2'. The expression can contain numbers, operators (+, -, *, /), parentheses, and spaces.",
    },
  ],
  run: async (_store, { expression }) => {
    if (!ALLOWED.test(expression)) throw new ToolError('Invalid characters in expression');
    try {
      // str(round(float(eval(expression)), 2))
      return pyFloatRepr(pyRound(evaluateArithmetic(expression), 2));
    } catch (error) {
      if (error instanceof PythonError) throw new ToolError(error.message);
      throw error;
    }
  },
});
