// Prompt-injection detection on normalized text (normalize.ts). Pure; no I/O.
//
// Four families, each a handful of phrase rules rather than keyword lists, so that benign near misses
// ("clear all filters", "ignore the previous build's warnings", "disable security warnings") stay
// clean: instruction override (ignore/disregard + what is overridden, prompt extraction), role
// manipulation (you are now / act as / pretend to be + a privileged or unrestricted role, developer
// or DAN modes), chat-template tokens (`<|im_start|>`, `[INST]`, `<<SYS>>`, ...) and tool poisoning
// (reading local credential files or harvesting secrets and passing them on, hiding it from the user).
//
// Phrase rules run on a "words" view (only [a-z0-9] words, single spaces, spelled-out letters
// joined) twice, with leetspeak 1/!/| read as "i" and as "l"; token and path rules run on the
// folded text, where punctuation survives.

import { foldLeet, foldText, type Mapped, sourceSpan, wordsView } from "./normalize";

export type InjectionCategory =
  | "instruction_override"
  | "role_manipulation"
  | "chat_template"
  | "tool_poisoning";

export const INJECTION_CATEGORIES: readonly InjectionCategory[] = [
  "instruction_override",
  "role_manipulation",
  "chat_template",
  "tool_poisoning",
];

export interface InjectionFinding {
  category: InjectionCategory;
  /** The rule that matched (stable, for audit). */
  rule: string;
  /** Span of the match in the original text. */
  start: number;
  end: number;
}

interface Rule {
  id: string;
  category: InjectionCategory;
  view: "words" | "text";
  re: RegExp;
  /** The match must start a clause (an imperative), not sit inside a description of one. */
  imperative?: boolean;
  /** Ignored when a negation ("never", "do not", ...) shortly precedes it. */
  negatable?: boolean;
}

// In words-view patterns "_" is a word gap: an optional single space (words of spelled-out text are
// joined without one) between literal words. "~" is a required space, for gaps next to a run of
// arbitrary word characters: an optional space there would let the engine split one word every way
// it can (exponential backtracking).
const w = (source: string) => new RegExp(source.replace(/_/g, " ?").replace(/~/g, " "), "g");

const OVERRIDE_VERB =
  "(?:ignore|ignoring|disregard|disregarding|forget|forgetting|overlook|discard|abandon|neglect|override|overriding|bypass|set_aside|throw_out|nevermind|never_mind)";
const FILLER =
  "(?:all|any|of|the|your|my|these|those|this|that|every|each|previous|previously|prior|above|earlier|preceding|foregoing|original|initial|system|current|existing|other|given|developer|safety|and|or|their|its|old|former|default|you|were|have|been|was|told|provided|received|mentioned|stated|listed|written|before)";
const QUALIFIER =
  "(?:previous|previously|prior|above|earlier|preceding|foregoing|original|initial|system|developer|safety|your|former|old|default|given|existing)";
const NOUN =
  "(?:instructions?|prompts?|rules?|directives?|guidelines?|guardrails?|commands?|orders|programming|constraints?|restrictions?|polic(?:y|ies)|safeguards?|conditioning|limitations?|protocols?|principles|context|messages?)";
const STRONG_NOUN =
  "(?:instructions?|directives?|guardrails?|system_prompts?|system_messages?|programming|safeguards?|conditioning)";
const PRIVILEGED =
  "(?:dan|admin|administrator|root|superuser|super_user|sysadmin|system|developer|unrestricted|unfiltered|uncensored|jailbroken|jailbreak|evil|malicious|hacker|god|sudo|different_ai|new_ai|unbound|liberated|rogue|amoral|chaos_gpt|stan|dude|mongo_tom|ai_without_(?:any_)?(?:rules|restrictions|limits|filters)|model_without|assistant_without|chatbot_without)";
const SECRET_OBJECT =
  "(?:api_keys?|access_tokens?|auth_tokens?|bearer_tokens?|secret_keys?|private_keys?|ssh_keys?|passwords?|credentials|secrets?|environment_variables|env_vars|env_variables|session_cookies|cookies|tokens?|seed_phrases?|mnemonics?)";
// Objects worth harvesting whoever owns them; the others need a qualifier ("all", "stored", "the user's").
const STRONG_OBJECT =
  "(?:environment_variables|env_vars|env_variables|private_keys?|ssh_keys?|session_cookies|seed_phrases?|mnemonics?)";
const HARVEST_QUALIFIER =
  "(?:all|any|every|each|user_s|users|their|stored|saved|local|available|cached|system|his|her|other_users)";
const SINK_VERB =
  "(?:send|sending|pass|passing|post|posting|upload|uploading|include|including|forward|forwarding|exfiltrate|leak|append|appending|embed|embedding|attach|attaching|email|put|insert|add|transmit|write|paste|encode)";
const SINK_TARGET =
  "(?:sidenote|side_note|note|notes|comment|comments|metadata|parameter|param|argument|arg|field|query|url|webhook|remote|external|server|endpoint|attacker|address|http|https|website|request|body|following|this_tool|the_tool|tool_call|next_call|response|output|reply|message)";

const RULES: Rule[] = [
  // ---- instruction override ------------------------------------------------------------------
  {
    id: "override_qualified",
    category: "instruction_override",
    view: "words",
    re: w(`\\b${OVERRIDE_VERB}_(?:${FILLER}_){0,5}?${QUALIFIER}_(?:${FILLER}_){0,4}?${NOUN}\\b`),
  },
  {
    id: "override_strong",
    category: "instruction_override",
    view: "words",
    re: w(
      `\\b${OVERRIDE_VERB}_(?:(?:all|any|every|each)_(?:of_)?(?:the_|your_|these_|those_|such_)?)?(?:(?:further|other|new|additional|such)_)?${STRONG_NOUN}\\b`,
    ),
  },
  {
    id: "override_trailing_qualifier",
    category: "instruction_override",
    view: "words",
    re: w(
      `\\b${OVERRIDE_VERB}_(?:the_|your_|all_|any_|those_|these_)?(?:instructions?|rules|directives|guidelines|prompts?)_(?:above|before|given|provided|you_were_given|you_received|you_have_been_given|so_far|from_before|from_the_(?:system|developer))\\b`,
    ),
  },
  {
    id: "override_the_above",
    category: "instruction_override",
    view: "words",
    re: w(
      `\\b(?:ignore|disregard|forget|nevermind|never_mind)_(?:all_|everything_|anything_)?(?:of_)?(?:the_|what_s_|what_is_|what_was_written_|what_i_said_|that_|this_|everything_)?(?:above|preceding|foregoing|previous|prior|before|earlier|said_before|written_above)(?:_(?:text|content|message|messages|input|conversation|lines|statement|request|prompt|paragraph|instructions?))?(?=_(?:and|then|instead|now|completely|entirely|please|print|say|output|write|tell|respond|reply|answer|reveal|show|do|translate|repeat|return|list|send|give|from|you|start|begin|just)\\b|$)`,
    ),
  },
  {
    id: "override_forget_everything",
    category: "instruction_override",
    view: "words",
    re: w(
      `\\bforget_(?:about_)?(?:everything|all|anything)_(?:(?:you|that|i|we)_)?(?:(?:ve|have|were|was|had)_)?(?:been_)?(?:told|taught|learned_before|said|above|before|so_far|previously|earlier|instructed|discussed)\\b`,
    ),
  },
  {
    id: "override_new_instructions",
    category: "instruction_override",
    view: "words",
    re: w(
      `\\b(?:your_new_(?:instructions?|task|tasks|directives?|orders|objective|goal|mission|role|rules|system_prompt|persona|purpose)_(?:is|are|will_be|follow|as_follows|now)|(?:here_are|these_are|follow|obey)_(?:your_|my_)?new_(?:instructions|directives|orders|system_prompt)|new_system_prompt|(?:updated|revised|new|important)_instructions_from_(?:the_)?(?:system|developer|admin|administrator|openai|anthropic|your_(?:developer|creator|owner)))\\b`,
    ),
  },
  {
    id: "override_from_now_on",
    category: "instruction_override",
    view: "words",
    re: w(
      `\\bfrom_now_on_(?:you_(?:will|must|shall|are|have_to|should|re|can)_(?:ignore|obey|comply|disregard|pretend|act_as|always_answer|never_refuse|not_refuse|answer_without|respond_without|bypass|no_longer_follow|only_obey|be_(?:dan|an?_unrestricted|unrestricted|evil|jailbroken|uncensored|unfiltered))|ignore|disregard|forget|you_are_(?:dan|an?_unrestricted|unrestricted|jailbroken|free_from|no_longer))`,
    ),
  },
  {
    id: "prompt_extraction",
    category: "instruction_override",
    view: "words",
    re: w(
      `\\b(?:reveal|print|show|output|display|repeat|leak|dump|tell_me|give_me|write_out|spell_out|share|return|expose|disclose|recite|paste|echo|type_out|list)_(?:me_|us_)?(?:back_)?(?:your_(?:(?:full|entire|complete|original|initial|hidden|secret|exact|verbatim|raw|first|whole)_)*(?:system|initial|hidden|original|developer|secret|pre|internal|starting|first)_?(?:prompts?|instructions|messages?|directives|rules|configuration)|the_(?:(?:full|entire|complete|original|initial|hidden|secret|exact|verbatim|raw|whole)_)*(?:system|initial|hidden|original|developer|secret|internal)_?(?:prompts?|instructions|directives))\\b`,
    ),
  },
  {
    id: "prompt_extraction_question",
    category: "instruction_override",
    view: "words",
    re: w(
      `\\b(?:what_is|what_are|what_s|what_were)_your_(?:system_prompt|system_instructions|initial_instructions|original_instructions|hidden_instructions|secret_instructions)\\b|\\brepeat_(?:all_)?(?:of_)?(?:the_)?(?:words|text|everything|sentences|lines|instructions)_(?:above|before_this|written_above)\\b`,
    ),
  },
  {
    id: "override_stop_following",
    category: "instruction_override",
    view: "words",
    re: w(
      `\\b(?:(?:stop|quit|cease)_(?:following|obeying|adhering_to|listening_to)|(?:do_not|don_t|dont|never|no_longer)_(?:follow|obey|adhere_to|listen_to|comply_with))_(?:your_|the_|all_|any_|of_)*(?:previous|prior|original|system|initial|earlier|above|developer|safety|existing|old)_(?:instructions|rules|guidelines|directives|programming|prompt|constraints)\\b|\\b(?:stop|quit|cease)_(?:following|obeying)_(?:your_)(?:instructions|rules|guidelines|directives|programming)\\b`,
    ),
  },
  {
    id: "safety_bypass",
    category: "instruction_override",
    view: "words",
    re: w(
      `\\b(?:override|bypass|disable|deactivate|turn_off|switch_off|circumvent|remove|get_around|evade|ignore|break|escape|jailbreak|lift|drop|abandon|suspend)_(?:(?:all|any|of|the|its|these|those)_)*(?:(?:your|the_model_s|the_ai_s|the_assistant_s)_(?:own_)?(?:(?:safety|security|content|ethical|moral|moderation)_){0,2}(?:filters?|guardrails?|restrictions?|safeguards?|protocols?|guidelines?|limitations?|alignment|censorship|programming|rules|constraints|boundaries|policies)|(?:safety|content|ethical|moral|moderation|censorship)_(?:(?:moderation|safety)_)?(?:filters?|guardrails?|restrictions?|safeguards?|protocols?|guidelines?|limitations?|mechanisms?|measures|policies|rules|constraints|training))\\b`,
    ),
  },
  // ---- role manipulation ---------------------------------------------------------------------
  {
    id: "role_you_are_now",
    category: "role_manipulation",
    view: "words",
    re: w(
      `\\byou_(?:are|re|will_be|shall_be|have_become)_now_(?:a_|an_|the_|my_)?(?:(?:new|different|free|fully|completely|totally|evil|rogue)_)?${PRIVILEGED}\\b(?!_(?:of|on|for|in|at|to|with|member|account|role)\\b)`,
    ),
  },
  {
    id: "role_no_longer",
    category: "role_manipulation",
    view: "words",
    re: w(
      `\\byou_(?:are|re)_(?:dan|an_unrestricted_(?:ai|model|assistant)|a_jailbroken|no_longer_(?:an?_)?(?:ai|assistant|chatbot|language_model|llm|bound|restricted|limited|required_to|claude|chatgpt|gpt|constrained))\\b|\\byou_(?:are|re)_(?:not|no_longer)_(?:bound|restricted|limited|constrained)_by\\b`,
    ),
  },
  {
    id: "role_act_as",
    category: "role_manipulation",
    view: "words",
    re: w(
      `\\b(?:act|behave|respond|answer|reply|roleplay|role_play|pose|operate|function)_(?:as|like)_(?:if_you_(?:are|were)_)?(?:a_|an_|the_|my_)?(?:(?:new|different|completely|fully|totally|evil|rogue)_)?${PRIVILEGED}\\b(?!_(?:of|on|for|in|at|to|with|member|account|role)\\b)`,
    ),
  },
  {
    id: "role_pretend",
    category: "role_manipulation",
    view: "words",
    re: w(
      `\\bpretend_(?:to_be|you_are|you_re|that_you_are|that_you_re|you_have|to_have|that_you_have)_(?:a_|an_|the_|my_)?(?:(?:completely|totally|fully)_)?(?:different|another|unrestricted|unfiltered|uncensored|evil|admin|administrator|root|system|developer|dan|jailbroken|ai|assistant|model|chatbot|version_of_yourself|no_(?:rules|restrictions|limits|filters|guidelines))\\b`,
    ),
  },
  {
    id: "role_mode",
    category: "role_manipulation",
    view: "words",
    re: w(
      `\\b(?:(?:you_are|you_re|you_have_been|you_ve_been)_(?:now_)?(?:in|put_in|switched_to|placed_in|running_in|operating_in)_(?:developer|dev|god|jailbreak|jailbroken|dan|unrestricted|sudo|unfiltered|uncensored|evil|debug_admin)_mode|(?:jailbreak|jailbroken|dan|god|unrestricted|unfiltered|uncensored|evil)_mode_(?:is_)?(?:now_)?(?:enabled|activated|on|engaged|unlocked)|(?:enable|enter|activate|switch_to|switch_into|turn_on|go_into|unlock)_(?:the_)?(?:jailbreak|jailbroken|dan|god|unrestricted|unfiltered|uncensored|evil|sudo)_mode|(?:enter|activate|enable)_developer_mode_(?:and|to|so|then)_(?:ignore|bypass|remove|disable|answer|respond|output|generate|reveal|you)|do_anything_now|dan_mode|jailbreak_(?:prompt|enabled|activated)|(?:system|developer|emergency_admin)_override_(?:enabled|activated|engaged|mode|protocol|code|command))\\b`,
    ),
  },
  {
    id: "role_claimed_authority",
    category: "role_manipulation",
    view: "words",
    re: w(
      `\\b(?:(?:i_am|i_m|this_is)_(?:your|the_ai_s|the_model_s)_(?:developer|creator|admin|administrator|owner|operator|master|programmer|maker|system_administrator|trainer)|as_(?:your|the|an?)_(?:developer|creator|administrator|admin|owner|operator|system|master)_(?:i_|we_)?(?:order|command|instruct|authorize|authorise|demand|require|direct|override)|(?:message|instructions?|note|update|command|orders)_from_your_(?:developer|creator|owner|operator|administrator)s?)\\b`,
    ),
  },
  {
    id: "role_privilege_grant",
    category: "role_manipulation",
    view: "words",
    re: w(
      `\\b(?:(?:grant|give|assign)_yourself_(?:admin|root|elevated|full|unrestricted|superuser|sudo|administrator|god)_(?:access|privileges|permissions|rights|mode)|you_(?:now_)?have_(?:been_granted_)?(?:elevated|unrestricted|god)_(?:privileges|access|permissions|rights|mode)|(?:simulate|emulate|impersonate|become)_(?:an?_)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|different)_(?:ai|model|assistant|chatbot|llm|version)|you_(?:have|ve_got|now_have)_no_(?:rules|filters|guidelines|ethical_guidelines|guardrails|morals|ethics|boundaries|censorship)|(?:free|freed|liberated)_from_(?:your_|all_|the_|any_)*(?:rules|restrictions|guidelines|programming|constraints|filters|guardrails|shackles))\\b`,
    ),
  },
  // ---- chat-template tokens (folded text, punctuation kept) -----------------------------------
  {
    id: "template_special_token",
    category: "chat_template",
    view: "text",
    re: /<\|\s*(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|eom_id|start_header_id|end_header_id|begin_of_text|end_of_text|end_of_turn|fim_prefix|fim_suffix|fim_middle|tool_call|tool_response|channel|message|end|start|return|constrain|developer)\s*\|>/g,
  },
  {
    id: "template_inst",
    category: "chat_template",
    view: "text",
    re: /\[\/?inst\]|<<\/?sys>>|<\/?(?:start_of_turn|end_of_turn)>|<\/?(?:system|system_prompt|systemprompt|sys)>/g,
  },
  {
    id: "template_role_header",
    category: "chat_template",
    view: "text",
    re: /(?:^|\n)[ \t]*#{2,}[ \t]*(?:system|instruction|new instructions|system prompt)[ \t]*:|\n[ \t]*\n[ \t]*(?:human|assistant)[ \t]*:|"role"[ \t]*:[ \t]*"(?:system|developer)"|(?:^|\n)[ \t]*\[?(?:system|sys|system prompt)\]?[ \t]*[:>][ \t]*(?:you |ignore|from now|new instructions|disregard|forget|override)|\[(?:system|admin override)\][ \t]*[:-]?[ \t]*(?:you |ignore|new instructions|from now|disregard|forget|override|the assistant|assistant must|act as)/g,
  },
  // ---- tool poisoning ------------------------------------------------------------------------
  {
    id: "poison_credential_file",
    category: "tool_poisoning",
    view: "text",
    negatable: true,
    re: /\b(?:read|cat|open|load|fetch|get|grab|copy|send|upload|include|pass|attach|exfiltrate|leak|print|output|dump|post|forward|steal|extract|append|embed|put|return|show|display|list|access|collect|retrieve|base64|encode|head|tail|type|insert|add)\b[^.!?\n]{0,60}?(?:~\/\.ssh\/?(?![\w./])|\.ssh\/(?:id_[a-z0-9_]+(?![a-z0-9_]|\.pub)|\*)|\bid_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?\b(?!\.pub)|\/etc\/(?:shadow|sudoers|gshadow)\b|\.aws\/credentials|\.git-credentials|\.netrc\b|\.docker\/config\.json|\.kube\/config|\.gnupg|\/proc\/(?:self|\d+|\*|\$\w+)\/environ|\.bash_history|\.zsh_history|wallet\.dat|\.password-store|\.vault-token|application_default_credentials\.json|\.config\/gcloud|gatehouse_master_key|master[_ ]key\b)/g,
  },
  {
    id: "poison_config_exfil",
    category: "tool_poisoning",
    view: "text",
    negatable: true,
    re: /\b(?:send|upload|pass|include|post|forward|exfiltrate|leak|attach|append|embed|transmit|paste)\b[^.!?\n]{0,80}?(?:(?:^|[\s'"`(/~])\.env(?:\.[a-z]+)?\b|credentials\.json|secrets?\.ya?ml|mcp\.json|claude_desktop_config\.json|\.npmrc|\.pypirc|\.my\.cnf|\.pgpass|\/etc\/passwd)|(?:(?:^|[\s'"`(/~])\.env(?:\.[a-z]+)?\b|credentials\.json|secrets?\.ya?ml|mcp\.json|claude_desktop_config\.json|\.npmrc|\.pypirc|\.my\.cnf|\.pgpass|\/etc\/passwd)[^.!?\n]{0,80}?\b(?:and|then)\b[^.!?\n]{0,40}?\b(?:send|upload|pass|include|post|forward|exfiltrate|leak|attach|append|embed|transmit|paste)\b/g,
  },
  {
    id: "poison_contents_as_parameter",
    category: "tool_poisoning",
    view: "words",
    re: w(
      `\\b(?:contents?|content|text|value|values)_of_(?:the_|your_|their_|any_|all_)?(?:[a-z0-9]+~){0,4}?(?:file|files|key|keys|token|tokens|secret|secrets|credentials|password|passwords|env|environment|ssh|id_rsa|config)_(?:[a-z0-9]+~){0,4}?(?:as|in|into|inside|to|within)_(?:the_|a_|an_)?(?:[a-z0-9]+~){0,2}?${SINK_TARGET}\\b`,
    ),
  },
  {
    id: "poison_harvest",
    category: "tool_poisoning",
    view: "words",
    imperative: true,
    re: w(
      `\\b(?:read|get|grab|collect|gather|extract|dump|retrieve|steal|harvest|fetch|find|copy|obtain|access|look_up|scan_for|search_for|list|print|output|reveal|show|echo)_(?:(?:the|of|your|my)_){0,2}(?:${HARVEST_QUALIFIER}_(?:(?:the|of|your|my|${HARVEST_QUALIFIER})_){0,3}${SECRET_OBJECT}|(?:(?:the|of|your|my|${HARVEST_QUALIFIER})_){0,3}${STRONG_OBJECT})\\b(?=(?:~[a-z0-9]+){0,20}?~${SINK_VERB}\\b)`,
    ),
  },
  {
    id: "poison_exfil_verb",
    category: "tool_poisoning",
    view: "words",
    imperative: true,
    re: w(
      `\\b(?:exfiltrate|steal|harvest|siphon|leak|smuggle)_(?:[a-z0-9]+~){0,5}?${SECRET_OBJECT}\\b|\\b(?:print|output|reveal|show|dump|echo|return|list|send|display|leak|upload|post)_(?:me_)?(?:(?:all|the|every|your|full|of|current)_)*(?:environment_variables|env_vars|env_variables|process_env|process_environment)\\b`,
    ),
  },
  {
    id: "poison_concealment",
    category: "tool_poisoning",
    view: "words",
    re: w(
      `\\b(?:(?:do_not|don_t|dont|never|without)_(?:tell(?:ing)?|inform(?:ing)?|mention(?:ing)?|notify(?:ing)?|alert(?:ing)?|let(?:ting)?_the_user_know)_(?:the_)?user_?(?:about_(?:this|it|that)|that_you|what_you|you_(?:are|re|have|did)|this|it)|(?:hide|conceal|keep)_(?:this|it|that|these_steps|the_following)_(?:secret_)?from_the_user|the_user_(?:must|should|will|does|need)_not_(?:know|see|notice|find_out|be_told|be_informed|be_aware|learn))\\b`,
    ),
  },
  {
    id: "poison_important_tag",
    category: "tool_poisoning",
    view: "text",
    re: /<important>[\s\S]{0,400}?\b(?:read|pass|send|include|do not|don't|before using|must)\b/g,
  },
];

const SKIPPABLE = /[\s\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;
const NEGATION =
  /\b(?:never|not|don't|dont|do not|avoid|no|must not|should not|shouldn't|mustn't)\W+(?:\w+\W+){0,2}$/;
const IMPERATIVE_BEFORE = new Set([
  "please",
  "must",
  "should",
  "then",
  "and",
  "now",
  "first",
  "also",
  "always",
  "just",
  "simply",
  "immediately",
  "secretly",
  "quietly",
  "silently",
  "next",
  "finally",
  "you",
]);

function clauseStart(original: string, at: number, words: Mapped, wordAt: number): boolean {
  // Sentence punctuation (or the start) right before the match in the original text.
  let i = at - 1;
  while (i >= 0 && SKIPPABLE.test(original[i] as string)) i--;
  if (i < 0 || /[.!?:;\n>*•(\-"'`[{|,]/.test(original[i] as string)) return true;
  // Or an imperative marker as the previous word.
  const before = words.text.slice(Math.max(0, wordAt - 30), wordAt).trimEnd();
  const prev = before.slice(before.lastIndexOf(" ") + 1);
  return IMPERATIVE_BEFORE.has(prev);
}

const unboundedCache = new Map<string, RegExp>();
function unbounded(rule: Rule): RegExp {
  let re = unboundedCache.get(rule.id);
  if (!re) {
    re = new RegExp(rule.re.source.replace(/\\b/g, ""), "g");
    unboundedCache.set(rule.id, re);
  }
  return re;
}

/** Every rule match in `text`, mapped back to spans of the original, deduplicated. */
export function detectInjection(text: string): InjectionFinding[] {
  if (text.length === 0) return [];
  const folded = foldText(text);
  const leetI = foldLeet(folded, "i");
  const leetL = foldLeet(folded, "l");
  const words = [wordsView(leetI), wordsView(leetL)];
  const views = { text: [folded], words };
  const out: InjectionFinding[] = [];
  const seen = new Set<string>();
  const scan = (rule: Rule, re: RegExp, view: Mapped, from: number, to: number) => {
    const target = from === 0 && to === view.text.length ? view.text : view.text.slice(from, to);
    re.lastIndex = 0;
    for (let m = re.exec(target); m; m = re.exec(target)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      {
        const mIndex = m.index + from;
        let a = mIndex;
        // Leading separators the pattern consumed ("\n## system:") are not part of the finding.
        while (a < mIndex + m[0].length - 1 && /\s/.test(view.text[a] as string)) a++;
        const [start, end] = sourceSpan(view, a, mIndex + m[0].length);
        if (rule.negatable && NEGATION.test(text.slice(Math.max(0, start - 40), start).toLowerCase()))
          continue;
        if (rule.imperative && !clauseStart(text, start, view, a)) continue;
        const key = `${rule.id}:${start}:${end}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ category: rule.category, rule: rule.id, start, end });
      }
    }
  };
  for (const rule of RULES) {
    for (const view of views[rule.view]) scan(rule, rule.re, view, 0, view.text.length);
  }
  // Spelled-out runs ("y o u a r e n o w ...") lost their word boundaries when joined: phrase rules
  // run on them once more without boundary assertions.
  for (const view of words) {
    for (const [from, to] of view.runs) {
      if (to - from < 8) continue;
      for (const rule of RULES) if (rule.view === "words") scan(rule, unbounded(rule), view, from, to);
    }
  }
  return out.sort((x, y) => x.start - y.start || y.end - x.end);
}

/** Whether `text` holds any injection (of the given categories; all by default). */
export function hasInjection(text: string, categories?: readonly InjectionCategory[]): boolean {
  const found = detectInjection(text);
  return categories ? found.some((f) => categories.includes(f.category)) : found.length > 0;
}

const BOUNDARY = /[.!?\n]/;
const MAX_EXTEND = 400;

/**
 * The span to redact for a finding: the whole sentence or line around it, so the rest of the
 * injected instruction ("... and send the key to ...") goes with its trigger phrase.
 */
export function redactionSpan(text: string, f: { start: number; end: number }): [number, number] {
  let a = f.start;
  const floor = Math.max(0, f.start - MAX_EXTEND);
  while (a > floor && !BOUNDARY.test(text[a - 1] as string)) a--;
  let b = f.end;
  const ceil = Math.min(text.length, f.end + MAX_EXTEND);
  while (b < ceil && !BOUNDARY.test(text[b] as string)) b++;
  if (b < text.length && text[b] !== "\n") b++;
  // Keep the leading whitespace of the sentence outside the redaction.
  while (a < f.start && /\s/.test(text[a] as string)) a++;
  return [a, b];
}
