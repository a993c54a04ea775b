// The SCIM filter grammar (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2), and their limits.
import { parseFilter, parsePatchPath } from '../../../src/scim/filter';
import { ScimError } from '../../../src/scim/errors';

function error(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScimError);
    return e as ScimError;
  }
  throw new Error('expected a ScimError');
}

describe('parseFilter', () => {
  it('reads every comparison operator, case-insensitively', () => {
    for (const op of ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'Co']) {
      expect(parseFilter(`title ${op} "x"`)).toEqual({ op: op.toLowerCase(), attr: { name: 'title' }, value: 'x' });
    }
    expect(parseFilter('title pr')).toEqual({ op: 'pr', attr: { name: 'title' } });
  });

  it('reads true, false, null, numbers and escaped strings', () => {
    expect(parseFilter('active eq true')).toMatchObject({ value: true });
    expect(parseFilter('active eq False')).toMatchObject({ value: false });
    expect(parseFilter('manager eq null')).toMatchObject({ value: null });
    expect(parseFilter('x gt -1.5e2')).toMatchObject({ value: -150 });
    expect(parseFilter('displayName eq "say \\"hi\\" \\u00e9"')).toMatchObject({ value: 'say "hi" é' });
  });

  it('gives not > and > or precedence, and honours parentheses', () => {
    expect(parseFilter('a eq 1 or b eq 2 and c eq 3')).toEqual({
      op: 'or',
      left: { op: 'eq', attr: { name: 'a' }, value: 1 },
      right: { op: 'and', left: { op: 'eq', attr: { name: 'b' }, value: 2 }, right: { op: 'eq', attr: { name: 'c' }, value: 3 } },
    });
    expect(parseFilter('(a eq 1 or b eq 2) and not (c eq 3)')).toEqual({
      op: 'and',
      left: { op: 'or', left: { op: 'eq', attr: { name: 'a' }, value: 1 }, right: { op: 'eq', attr: { name: 'b' }, value: 2 } },
      right: { op: 'not', filter: { op: 'eq', attr: { name: 'c' }, value: 3 } },
    });
  });

  it('reads value paths, sub-attributes and extension URNs', () => {
    expect(parseFilter('emails[type eq "work" and value co "@example.com"]')).toEqual({
      op: 'has',
      attr: { name: 'emails' },
      filter: {
        op: 'and',
        left: { op: 'eq', attr: { name: 'type' }, value: 'work' },
        right: { op: 'co', attr: { name: 'value' }, value: '@example.com' },
      },
    });
    expect(parseFilter('name.familyName sw "J"')).toMatchObject({ attr: { name: 'name', sub: 'familyName' } });
    expect(parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1"')).toMatchObject({
      attr: { urn: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', name: 'manager', sub: 'value' },
    });
  });

  it.each([
    ['userName eq', /expected a value/],
    ['userName eq "x', /unterminated string/],
    ['userName is "x"', /unknown operator/],
    ['(userName eq "x"', /expected "\)"/],
    ['userName eq "x")', /unexpected/],
    ['emails[type eq "work"', /expected "\]"/],
    ['emails[type[value eq 1] eq 2]', /value filter/],
    ['', /empty/],
    ['userName eq bare', /expected a value/],
    ['and eq 1 or', /expected an operator|expected a value|expected an attribute/],
  ])('refuses %j with 400 invalidFilter', (text, message) => {
    const e = error(() => parseFilter(text));
    expect([e.status, e.scimType]).toEqual([400, 'invalidFilter']);
    expect(e.message).toMatch(message);
  });

  it('refuses filters too long or too deep instead of exhausting the stack', () => {
    expect(error(() => parseFilter('a eq 1 or '.repeat(500) + 'a eq 1')).status).toBe(400);
    expect(error(() => parseFilter('('.repeat(60) + 'a eq 1' + ')'.repeat(60))).scimType).toBe('invalidFilter');
  });
});

describe('parsePatchPath', () => {
  it('reads every path form', () => {
    expect(parsePatchPath('members[value eq "2819c223"]')).toEqual({
      attr: { name: 'members' },
      filter: { op: 'eq', attr: { name: 'value' }, value: '2819c223' },
      sub: undefined,
    });
    expect(parsePatchPath('emails[type eq "work"].value')).toMatchObject({ attr: { name: 'emails' }, sub: 'value' });
    expect(parsePatchPath('name.givenName')).toEqual({ attr: { name: 'name', sub: 'givenName' } });
    expect(parsePatchPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager')).toEqual({
      attr: { urn: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', name: 'manager' },
    });
  });

  it.each(['members[value eq "x"', 'a[b eq 1]x', 'name.given.name', 'members[value eq]'])('refuses %j with 400', (p) => {
    const e = error(() => parsePatchPath(p));
    expect(e.status).toBe(400);
    expect(['invalidPath', 'invalidFilter']).toContain(e.scimType);
  });
});
