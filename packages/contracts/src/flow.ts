import { z } from 'zod';

/**
 * Declarative multi-turn flows (issue 4, item 1). A flow is versioned JSON: a start step and a map of steps, each
 * naming the step that follows. Texts are templates: `{var}` inserts a flow variable (dotted paths reach into
 * objects: `{period.start}`), `{var|mask}` masks personal data (card •••• 1234, 张*), `{var|last4}` keeps the last
 * four characters, `{var|name}` masks a personal name.
 *
 * Structural rules that a schema cannot express (unknown next targets, unreachable steps, undeclared slots, unknown
 * connectors, variables used before they are set, loops that never wait for the customer) are checked by the
 * server's validateFlow().
 */

export const StepId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'step ids use letters, digits, _ . -');
export type StepId = z.infer<typeof StepId>;

const VarName = z.string().min(1).max(64).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'variable names are identifiers');

/** A text template: one string for every language, or a Chinese and an (optional) English variant. */
export const FlowText = z.union([
  z.string().min(1).max(2000),
  z.object({ zh: z.string().min(1).max(2000), en: z.string().min(1).max(2000).optional() }),
]);
export type FlowText = z.infer<typeof FlowText>;

/** What an ask step extracts from the customer's message (see the NLU entity extractor). */
export const SlotEntity = z.enum(['money', 'date', 'card_number', 'phone', 'id_number', 'account_type', 'product', 'text', 'choice']);
export type SlotEntity = z.infer<typeof SlotEntity>;

export const SlotDefinition = z.object({
  entity: SlotEntity,
  label: FlowText.optional(),
  /** Key under which the value is kept for the session (offered again by `reuse`); defaults to the slot name. */
  sessionKey: z.string().min(1).max(64).optional(),
});
export type SlotDefinition = z.infer<typeof SlotDefinition>;

const ChoiceValue = z.union([z.string(), z.number(), z.boolean()]);

const SayStep = z.object({ type: z.literal('say'), text: FlowText, next: StepId });

const AskStep = z.object({
  type: z.literal('ask'),
  slot: VarName,
  entity: SlotEntity,
  prompt: FlowText,
  /** Said after an invalid answer; defaults to the prompt. */
  reprompt: FlowText.optional(),
  maxTries: z.number().int().min(1).max(10).default(3),
  /** min/max: the amount for money, the length for text; pattern: a regular expression the value must match. */
  validate: z.object({ min: z.number().optional(), max: z.number().optional(), pattern: z.string().max(500).optional() }).optional(),
  /** For entity "choice": the accepted answers (by number, label or synonym). */
  options: z.array(z.object({ label: FlowText, value: ChoiceValue, synonyms: z.array(z.string()).optional() })).optional(),
  /** Offer a value filled earlier in the session instead of asking again. */
  reuse: z.boolean().default(false),
  next: StepId,
  /** Taken after maxTries invalid answers. */
  onFail: StepId,
});

const ChoiceStep = z.object({
  type: z.literal('choice'),
  prompt: FlowText,
  options: z.array(z.object({ label: FlowText, value: ChoiceValue, next: StepId, synonyms: z.array(z.string()).optional() })).min(1).max(9),
  /** Variable that receives the chosen option's value. */
  var: VarName.optional(),
  maxTries: z.number().int().min(1).max(10).default(3),
  /** Taken after maxTries unrecognised answers; without it the flow fails. */
  onFail: StepId.optional(),
});

export const ConditionOp = z.enum(['eq', 'ne', 'gt', 'lt', 'exists', 'in']);
const ConditionStep = z.object({
  type: z.literal('condition'),
  if: z.object({ var: z.string().min(1).max(128), op: ConditionOp, value: z.unknown().optional() }),
  then: StepId,
  else: StepId,
});

const Literal = z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]);
/** A string value is a template; a value that is exactly "{var}" copies the variable unchanged (objects too). */
const SetStep = z.object({ type: z.literal('set'), var: VarName, value: Literal, next: StepId });

const CallStep = z.object({
  type: z.literal('call'),
  connector: z.string().min(1).max(64),
  operation: z.string().min(1).max(64),
  input: z.record(z.string(), Literal).optional(),
  /** Variables the operation's result sets (used by validation; every returned variable is stored). */
  outputs: z.array(VarName).optional(),
  next: StepId,
  /** Taken when the connector fails or times out; the variable `error` holds the error code. */
  onError: StepId,
});

const VerifyIdentityStep = z.object({ type: z.literal('verify-identity'), next: StepId, onFail: StepId });

const TransferStep = z.object({
  type: z.literal('transfer'),
  queue: z.string().min(1).max(64).optional(),
  note: z.string().max(2000).optional(),
  text: FlowText.optional(),
});

const EndStep = z.object({ type: z.literal('end'), text: FlowText.optional() });

export const FlowStepDefinition = z.discriminatedUnion('type', [
  SayStep, AskStep, ChoiceStep, ConditionStep, SetStep, CallStep, VerifyIdentityStep, TransferStep, EndStep,
]);
export type FlowStepDefinition = z.infer<typeof FlowStepDefinition>;
export type FlowStepType = FlowStepDefinition['type'];

export const FlowDefinition = z.object({
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/),
  version: z.number().int().min(1),
  name: FlowText,
  triggers: z.object({
    intents: z.array(z.string().min(1)).optional(),
    entryIds: z.array(z.string().min(1)).optional(),
    phrases: z.array(z.string().min(1)).optional(),
  }),
  slots: z.record(VarName, SlotDefinition).optional(),
  start: StepId,
  steps: z.record(StepId, FlowStepDefinition),
});
/** A parsed flow (defaults applied). */
export type FlowDefinition = z.infer<typeof FlowDefinition>;
/** A flow as authored (defaults may be omitted). */
export type FlowDefinitionInput = z.input<typeof FlowDefinition>;
