/**
 * Rule-based instant answers for inbound WhatsApp messages (seed 004's
 * "resposta instantânea"), deterministic and without AI calls. Rules are
 * checked in order, so "oi, quanto custa?" is a pricing question, not a
 * greeting, and an opt-out always wins.
 */

export type Intent = 'opt_out' | 'human' | 'media' | 'pricing' | 'activation' | 'thanks' | 'greeting' | 'unknown';

export interface Answer {
  intent: Intent;
  reply: string;
  /** A person should take over: the lead asked for one, or no rule understood the message. */
  handoff: boolean;
}

interface Rule {
  intent: Intent;
  pattern: RegExp;
  handoff: boolean;
  reply(first: string): string;
}

// Patterns run on lower-case text without accents (see `fold`).
const RULES: Rule[] = [
  {
    intent: 'opt_out',
    pattern: /\b(parar|pare|sair|cancelar|descadastrar|stop)\b/,
    handoff: false,
    reply: () => 'Tudo bem, você não receberá mais mensagens nossas. Se mudar de ideia, é só escrever OI.',
  },
  {
    intent: 'human',
    pattern: /\b(atendente|humano|pessoa|falar com alguem)\b/,
    handoff: true,
    reply: (first) => `Claro${first}! Vou chamar alguém da equipe para continuar com você.`,
  },
  {
    intent: 'pricing',
    pattern: /\b(preco|precos|valor|valores|quanto|custa|desconto|promocao)\b/,
    handoff: false,
    reply: (first) => `Ótima pergunta${first}! Os valores dependem do seu perfil. Pode me contar um pouco mais sobre o que procura?`,
  },
  {
    intent: 'activation',
    pattern: /\b(ativar|ativar perfil|quero|tenho interesse|sim)\b/,
    handoff: false,
    reply: (first) => `Perfeito${first}, seu perfil está ativo! Vou te fazer algumas perguntas rápidas para encontrar a melhor opção.`,
  },
  {
    intent: 'thanks',
    pattern: /\b(obrigad[oa]|valeu|agradeco)\b/,
    handoff: false,
    reply: (first) => `Nós que agradecemos${first}! Qualquer dúvida, estou por aqui.`,
  },
  {
    intent: 'greeting',
    pattern: /\b(oi|ola|bom dia|boa tarde|boa noite|hello|hi)\b/,
    handoff: false,
    reply: (first) => `Olá${first}! Como posso ajudar?`,
  },
];

/** Lower case without diacritics: "Olá, PREÇO" → "ola, preco". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * Chooses the answer to one inbound message. A media message (image,
 * document) is acknowledged for review; a message with neither text nor
 * media is the template's "Ativar Perfil" button press (activation).
 */
export function answerFor(message: { text?: string; media_id?: string } | undefined, name?: string): Answer {
  const first = name?.trim().split(/\s+/)[0];
  const suffix = first ? `, ${first}` : '';
  const text = fold(message?.text ?? '').trim();
  const optOut = RULES[0]!;
  if (text && optOut.pattern.test(text)) return { intent: 'opt_out', reply: optOut.reply(suffix), handoff: false };
  if (message?.media_id) {
    return { intent: 'media', reply: `Recebemos seu arquivo${suffix}! Nossa equipe vai analisar e te responde em breve.`, handoff: false };
  }
  if (!text) return answerFor({ text: 'ativar' }, name);
  for (const rule of RULES) {
    if (rule.pattern.test(text)) return { intent: rule.intent, reply: rule.reply(suffix), handoff: rule.handoff };
  }
  return { intent: 'unknown', reply: `Recebi sua mensagem${suffix}! Um especialista vai te responder em instantes.`, handoff: true };
}
