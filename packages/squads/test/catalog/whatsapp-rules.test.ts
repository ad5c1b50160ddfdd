import { describe, expect, it } from 'vitest';
import { answerFor, normalizePhone, tryNormalizePhone } from '../../src/catalog/index.ts';
import { abandonedCartText, formatBrl } from '../../src/catalog/whatsapp/texts.ts';

describe('phone normalisation', () => {
  it('turns common formats into E.164 digits', () => {
    expect(normalizePhone('+55 11 99999-9999')).toBe('5511999999999');
    expect(normalizePhone('+55 (11) 99999.9999')).toBe('5511999999999');
    expect(normalizePhone('0055 11 99999 9999')).toBe('5511999999999');
    expect(normalizePhone('5511999999999')).toBe('5511999999999');
  });

  it('rejects numbers too short, too long or starting with 0', () => {
    expect(tryNormalizePhone('9999-999')).toBeNull();
    expect(tryNormalizePhone('+55 11 99999-9999 1234')).toBeNull();
    expect(tryNormalizePhone('011 99999 9999')).toBeNull();
    expect(() => normalizePhone('abc')).toThrow(/invalid phone number/);
  });
});

describe('instant answer rules', () => {
  it.each([
    ['Quero parar de receber', 'opt_out', false],
    ['Quero falar com um atendente', 'human', true],
    ['Oi! Qual o preço?', 'pricing', false],
    ['Quero ativar meu perfil', 'activation', false],
    ['Muito obrigada', 'thanks', false],
    ['Bom dia', 'greeting', false],
    ['asdf qwer', 'unknown', true],
  ])('classifies %j as %s (handoff %s)', (text, intent, handoff) => {
    expect(answerFor({ text }, 'Ana')).toMatchObject({ intent, handoff });
  });

  it('acknowledges media, reads a message without text as the activation button, and lets opt-out win over media', () => {
    expect(answerFor({ media_id: 'm1' }).intent).toBe('media');
    expect(answerFor(undefined).intent).toBe('activation');
    expect(answerFor({ text: 'PARE', media_id: 'm1' }).intent).toBe('opt_out');
  });

  it('greets by first name when known', () => {
    expect(answerFor({ text: 'olá' }, 'Maria Santos').reply).toBe('Olá, Maria! Como posso ajudar?');
    expect(answerFor({ text: 'olá' }).reply).toBe('Olá! Como posso ajudar?');
  });
});

describe('message texts', () => {
  it('formats BRL values and shortens long item lists', () => {
    expect(formatBrl(1234.5)).toBe('R$ 1.234,50');
    const text = abandonedCartText({ customer_name: 'João Silva', item_names: ['A', 'B', 'C', 'D'], cart_value: 10 });
    expect(text).toBe(
      'Olá, João! Você deixou A, B e mais 2 itens no carrinho (total de R$ 10,00). Seus itens ainda estão disponíveis: finalize sua compra quando quiser. Posso ajudar em algo?',
    );
  });
});
