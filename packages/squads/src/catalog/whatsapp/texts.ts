/**
 * Message bodies of the WhatsApp squad, in Brazilian Portuguese like the
 * seeds' customers (+55 numbers, BRL). Pure functions: the wording is tested
 * without sending anything.
 */

const brl = new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' });

/** `R$ 479,70` (Intl puts a no-break space after `R$`; a plain space reads the same on every phone). */
export function formatBrl(value: number): string {
  return brl.format(value).replace(/\s/g, ' ');
}

/** First name for a friendly greeting; empty names greet without one. */
function hello(name: string | undefined): string {
  const first = name?.trim().split(/\s+/)[0];
  return first ? `Olá, ${first}!` : 'Olá!';
}

/** "A", "A e B", "A, B e mais 2 itens". */
function listItems(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  if (names.length === 2) return `${names[0]} e ${names[1]}`;
  const rest = names.length - 2;
  return `${names[0]}, ${names[1]} e mais ${rest} ${rest === 1 ? 'item' : 'itens'}`;
}

export function abandonedCartText(input: { customer_name?: string; item_names: string[]; cart_value?: number }): string {
  const items = input.item_names.length ? ` ${listItems(input.item_names)}` : ' alguns itens';
  const value = input.cart_value === undefined ? '' : ` (total de ${formatBrl(input.cart_value)})`;
  return `${hello(input.customer_name)} Você deixou${items} no carrinho${value}. Seus itens ainda estão disponíveis: finalize sua compra quando quiser. Posso ajudar em algo?`;
}

/** Hot leads get a direct offer to talk; others an invitation to browse. */
export function welcomeText(input: { name?: string; segment?: string }): string {
  const next =
    input.segment === 'hot'
      ? 'Um especialista vai falar com você ainda hoje. Qual o melhor horário?'
      : 'Responda esta mensagem se quiser conhecer nossas ofertas.';
  return `${hello(input.name)} Obrigado pelo seu interesse. ${next}`;
}

export function followupText(input: { name?: string }): string {
  return `${hello(input.name)} Passando para saber se ficou alguma dúvida. Estamos à disposição por aqui.`;
}

export function stockAlertText(input: {
  product_id: string;
  product_name?: string;
  stock_level: number;
  min_threshold?: number;
  reorder_quantity?: number;
}): string {
  const product = input.product_name ? `${input.product_name} (${input.product_id})` : input.product_id;
  const threshold = input.min_threshold === undefined ? '' : ` (mínimo: ${input.min_threshold})`;
  const reorder = input.reorder_quantity ? ` Reposição sugerida: ${input.reorder_quantity} unidades.` : '';
  return `Alerta de estoque: ${product} está com ${input.stock_level} unidade(s)${threshold}.${reorder} Por favor, confirme a disponibilidade para reposição.`;
}

export function reminderText(input: { name?: string }): string {
  return `${hello(input.name)} Ainda está por aí? Sua conversa continua aberta: é só responder esta mensagem para continuarmos.`;
}
