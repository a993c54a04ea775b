// The MSP console: a small script over /api/v1. Pages are built with the DOM (text is never
// parsed as HTML), every field has a label, messages come from the server in the person's language.
'use strict';

(() => {
  const state = { me: null, csrf: null, lang: document.documentElement.lang || 'en', messages: {}, oidc: document.body.dataset.oidc === 'true' };

  // ---- messages and formatting ----
  const t = (key, vars = {}) => {
    const text = state.messages[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (vars[name] === undefined ? `{${name}}` : String(vars[name])));
  };
  const locale = () => (state.lang === 'de' ? 'de-DE' : 'en-US');
  const fmtNumber = (n) => new Intl.NumberFormat(locale()).format(n);
  const fmtDate = (iso) => (iso ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '');

  // ---- DOM ----
  function h(tag, attrs = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2).toLowerCase(), v);
      else if (k === 'class') el.className = v;
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }
  let uid = 0;
  /** A labelled form field (every input has a <label for>). */
  function field(label, input) {
    const id = input.id || `f${++uid}`;
    input.id = id;
    return h('div', { class: 'field' }, h('label', { for: id }, label), input);
  }
  function select(name, options, value) {
    return h('select', { name }, options.map(([v, label]) => h('option', { value: v, selected: v === value ? true : undefined }, label)));
  }
  const main = () => document.getElementById('main');
  function show(...nodes) {
    main().replaceChildren(...nodes);
  }
  function alertError(err) {
    const box = document.getElementById('alert');
    const fields = err && err.fields ? ` (${err.fields.map((f) => `${f.path}: ${f.message}`).join('; ')})` : '';
    box.textContent = `${err && err.message ? err.message : String(err)}${fields}`;
    box.hidden = false;
    document.getElementById('status').hidden = true;
  }
  function notify(message) {
    const box = document.getElementById('status');
    box.textContent = message;
    box.hidden = false;
    document.getElementById('alert').hidden = true;
  }
  function clearNotices() {
    document.getElementById('alert').hidden = true;
    document.getElementById('status').hidden = true;
  }
  /** Runs an action with its button busy and a spinner; errors land in the alert region. */
  async function busy(button, label, fn) {
    const before = button ? [...button.childNodes] : [];
    if (button) {
      button.disabled = true;
      button.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
    }
    try {
      const result = await fn();
      // Success without a body (204) still counts as success for the caller.
      return result === undefined ? true : result;
    } catch (err) {
      alertError(err);
      return undefined;
    } finally {
      if (button && button.isConnected) {
        button.disabled = false;
        button.replaceChildren(...before);
      }
    }
  }
  function copyButton(text) {
    return h('button', { type: 'button', class: 'secondary', onclick: async (e) => {
      try {
        await navigator.clipboard.writeText(text);
        e.target.textContent = t('copied');
      } catch {
        e.target.textContent = t('copyFailed');
      }
    } }, t('copy'));
  }

  // ---- API ----
  async function api(method, path, body, launchToken) {
    const headers = { accept: 'application/json', 'accept-language': state.lang };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (state.csrf && method !== 'GET') headers['x-csrf-token'] = state.csrf;
    if (launchToken) headers['x-launch-token'] = launchToken;
    const res = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
    if (res.status === 204) return undefined;
    const data = (res.headers.get('content-type') || '').includes('json') ? await res.json() : await res.text();
    if (!res.ok) {
      const e = new Error((data && data.error && data.error.message) || res.statusText);
      e.status = res.status;
      e.code = data && data.error && data.error.code;
      e.fields = data && data.error && data.error.fields;
      throw e;
    }
    return data;
  }

  // ---- launches (kept for the tab's lifetime) ----
  const launchOf = (accountId) => JSON.parse(sessionStorage.getItem(`launch:${accountId}`) || 'null');
  const forAccount = (accountId) => (state.me && accountId === state.me.accountId ? undefined : (launchOf(accountId) || {}).token);

  // ---- navigation ----
  function nav() {
    const links = [];
    if (state.me && state.me.accountKind === 'msp') {
      links.push(['#/companies', t('nav.companies')], ['#/settings/technicians', t('nav.technicians')]);
      if (state.me.roles.includes('owners') || state.me.roles.includes('administrators')) links.push(['#/settings/tokens', t('nav.tokens')], ['#/settings/audit', t('nav.audit')], ['#/settings/jobs', t('nav.jobs')]);
    } else if (state.me) {
      links.push([`#/a/${state.me.accountId}/members`, t('nav.myAccount')]);
    }
    const here = location.hash;
    document.getElementById('nav').replaceChildren(...links.map(([href, label]) => h('a', { href, 'aria-current': here.startsWith(href) ? 'page' : undefined }, label)));
  }

  async function route() {
    clearNotices();
    nav();
    const hash = location.hash || '';
    if (!state.me) return signInPage();
    let m;
    if ((m = /^#\/a\/([^/]+)\/vaults\/([^/]+)$/.exec(hash))) return vaultPage(m[1], m[2]);
    if ((m = /^#\/a\/([^/]+)\/(\w+)$/.exec(hash))) return accountPage(m[1], m[2]);
    if (hash === '#/settings/technicians') return techniciansPage();
    if (hash === '#/settings/tokens') return tokensPage();
    if (hash === '#/settings/audit') return auditPage();
    if (hash === '#/settings/jobs') return jobsPage();
    if (state.me.accountKind === 'msp') return companiesPage();
    location.hash = `#/a/${state.me.accountId}/members`;
    return undefined;
  }

  // ---- sign-in ----
  function signInPage() {
    const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
    const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
    const submit = h('button', { type: 'submit' }, t('signin.submit'));
    const form = h('form', { class: 'stack', onsubmit: async (e) => {
      e.preventDefault();
      await busy(submit, t('signin.busy'), async () => {
        const res = await fetch('/auth/signin', { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ email: email.value, password: password.value }) });
        if (!res.ok) {
          const body = await res.json().catch(() => ({}));
          throw new Error((body.error && body.error.message) || t('signin.failed'));
        }
        await boot();
      });
    } }, field(t('signin.email'), email), field(t('signin.password'), password), submit);
    show(
      h('h1', {}, t('signin.title')),
      state.oidc ? h('p', {}, h('a', { class: 'button', href: '/auth/oidc/login' }, t('signin.oidc'))) : null,
      state.oidc ? h('p', { class: 'muted' }, t('signin.or')) : h('p', { class: 'muted' }, t('signin.linkHint')),
      form,
    );
  }

  // ---- Managed Companies ----
  const listState = { search: '', sort: 'name', status: '', offset: 0, limit: 25 };
  async function companiesPage() {
    const search = h('input', { type: 'search', name: 'search', value: listState.search });
    const sort = select('sort', [['name', t('companies.sort.name')], ['status', t('companies.sort.status')], ['seats', t('companies.sort.seats')]], listState.sort);
    const status = select('status', [['', t('companies.status.all')], ...['setup', 'active', 'pending_link', 'frozen', 'trial'].map((s) => [s, t(`status.${s}`)])], listState.status);
    const tableHost = h('div', { id: 'companies' });
    const reload = async () => {
      listState.search = search.value;
      listState.sort = sort.value;
      listState.status = status.value;
      await renderCompanyTable(tableHost);
    };
    let timer;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        listState.offset = 0;
        void reload();
      }, 250);
    });
    sort.addEventListener('change', () => void reload());
    status.addEventListener('change', () => {
      listState.offset = 0;
      void reload();
    });
    const clear = h('button', { type: 'button', class: 'secondary', onclick: () => {
      search.value = '';
      sort.value = 'name';
      status.value = '';
      listState.offset = 0;
      void reload();
    } }, t('companies.clear'));
    show(
      h('h1', {}, t('companies.title')),
      h('div', { class: 'toolbar' }, field(t('companies.search'), search), field(t('companies.sortBy'), sort), field(t('companies.filter'), status), h('span', { class: 'spacer' }), clear, h('button', { type: 'button', onclick: () => newCompanyDialog(reload) }, t('companies.new'))),
      tableHost,
    );
    await reload();
  }

  async function renderCompanyTable(host) {
    const q = new URLSearchParams({ limit: String(listState.limit), offset: String(listState.offset), sort: listState.sort, order: listState.sort === 'seats' ? 'desc' : 'asc' });
    if (listState.search) q.set('search', listState.search);
    if (listState.status) q.set('status', listState.status);
    let page;
    try {
      page = await api('GET', `/companies?${q}`);
    } catch (err) {
      return alertError(err);
    }
    const rows = page.items.map((c) =>
      h('tr', {},
        h('th', { scope: 'row' }, c.name),
        h('td', {}, h('span', { class: 'status-badge' }, t(`status.${c.status}`))),
        h('td', {}, c.region.toUpperCase()),
        h('td', {}, t('companies.seatsOf', { filled: fmtNumber(c.seatsFilled), total: fmtNumber(c.seatsTotal) })),
        h('td', {},
          h('button', { type: 'button', 'aria-label': t('companies.launchNamed', { name: c.name }), disabled: c.status === 'pending_link' ? true : undefined, onclick: (e) => launch(c, e.currentTarget) }, t('companies.launch')),
          ' ',
          companyMenu(c, () => renderCompanyTable(host)),
        ),
      ),
    );
    const from = page.total ? page.offset + 1 : 0;
    const to = page.offset + page.items.length;
    host.replaceChildren(
      h('table', {},
        h('caption', {}, t('companies.caption', { count: fmtNumber(page.total) })),
        h('thead', {}, h('tr', {}, [t('companies.col.name'), t('companies.col.status'), t('companies.col.region'), t('companies.col.seats'), t('companies.col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: '5' }, t('companies.none')))),
      ),
      h('div', { class: 'pager' },
        h('button', { type: 'button', class: 'secondary', disabled: listState.offset === 0 ? true : undefined, onclick: () => { listState.offset = Math.max(0, listState.offset - listState.limit); void renderCompanyTable(host); } }, t('pager.previous')),
        h('span', {}, t('pager.range', { from: fmtNumber(from), to: fmtNumber(to), total: fmtNumber(page.total) })),
        h('button', { type: 'button', class: 'secondary', disabled: to >= page.total ? true : undefined, onclick: () => { listState.offset += listState.limit; void renderCompanyTable(host); } }, t('pager.next')),
      ),
    );
    return undefined;
  }

  function companyMenu(c, done) {
    const confirm = h('button', { type: 'button', class: 'danger', onclick: async (e) => {
      const r = await busy(e.currentTarget, t('unlink.busy'), () => api('POST', `/companies/${c.id}/unlink`));
      if (r) {
        notify(t('unlink.done', { name: c.name, date: fmtDate(r.trialEndsAt) }));
        await done();
      }
    } }, t('unlink.confirm'));
    return h('details', { class: 'menu' },
      h('summary', { 'aria-label': t('companies.moreFor', { name: c.name }) }, '…'),
      h('div', { class: 'menu-body' }, h('p', {}, h('strong', {}, t('unlink.title'))), h('p', {}, t('unlink.explain')), confirm),
    );
  }

  async function launch(c, button) {
    const r = await busy(button, t('launch.busy'), () => api('POST', `/companies/${c.id}/launch`, { reason: 'console' }));
    if (!r) return;
    sessionStorage.setItem(`launch:${c.id}`, JSON.stringify({ token: r.token, launchId: r.launchId, expiresAt: r.expiresAt, name: c.name }));
    location.hash = `#/a/${c.id}/members`;
  }

  function newCompanyDialog(done) {
    const name = h('input', { name: 'name', required: true, maxlength: '200' });
    const website = h('input', { name: 'website', type: 'text', inputmode: 'url' });
    const country = h('input', { name: 'country', required: true, autocomplete: 'country-name' });
    const address = h('textarea', { name: 'address', rows: '2' });
    const seats = h('input', { name: 'seats', type: 'number', min: '0', value: '10' });
    const addBtn = h('button', { type: 'submit' }, t('newCompany.add'));
    const account = h('input', { name: 'accountId', required: true });
    const linkBtn = h('button', { type: 'submit' }, t('newCompany.link'));
    const progress = h('p', { role: 'status' });
    const dialog = h('dialog', { 'aria-labelledby': 'nc-title' },
      h('h2', { id: 'nc-title' }, t('newCompany.title')),
      h('form', { class: 'stack', onsubmit: async (e) => {
        e.preventDefault();
        const r = await busy(addBtn, t('newCompany.adding'), () => api('POST', '/companies', { name: name.value, country: country.value, website: website.value || undefined, address: address.value || undefined, seats: Number(seats.value) }));
        if (r) {
          dialog.close();
          notify(t('newCompany.added', { name: name.value }));
          await done();
        }
      } }, h('h3', {}, t('newCompany.addTitle')), field(t('newCompany.name'), name), field(t('newCompany.website'), website), field(t('newCompany.country'), country), field(t('newCompany.address'), address), field(t('newCompany.seats'), seats), h('p', { class: 'muted' }, t('newCompany.regionNote')), addBtn),
      h('hr'),
      h('form', { class: 'stack', onsubmit: async (e) => {
        e.preventDefault();
        const r = await busy(linkBtn, t('newCompany.linking'), () => api('POST', '/links', { accountId: account.value.trim() }));
        if (!r) return;
        // Region checks and the Owner's approval run in the background: follow the request.
        for (let i = 0; i < 60; i++) {
          const v = await api('GET', `/links/${r.requestId}`).catch(() => null);
          if (v) progress.textContent = t(`link.${v.status}`, { reason: v.reason ? t(`reason.${v.reason}`) : '' });
          if (!v || v.status !== 'pending') break;
          await new Promise((res) => setTimeout(res, 1000));
        }
        await done();
      } }, h('h3', {}, t('newCompany.linkTitle')), field(t('newCompany.accountId'), account), h('p', { class: 'muted' }, t('newCompany.linkNote')), linkBtn, progress),
      h('form', { method: 'dialog' }, h('button', { class: 'secondary' }, t('close'))),
    );
    document.body.append(dialog);
    dialog.addEventListener('close', () => dialog.remove());
    dialog.showModal();
  }

  // ---- inside an account ----
  const TABS = ['members', 'groups', 'vaults', 'recovery', 'policies', 'provisioning'];
  async function accountPage(accountId, tab) {
    const token = forAccount(accountId);
    if (state.me.accountId !== accountId && !token) {
      return show(h('h1', {}, t('account.notLaunched')), h('p', {}, h('a', { href: '#/companies' }, t('account.back'))));
    }
    let account;
    try {
      account = await api('GET', `/accounts/${accountId}`, undefined, token);
    } catch (err) {
      if (err.status === 404 && token) sessionStorage.removeItem(`launch:${accountId}`);
      return alertError(err);
    }
    const launchInfo = launchOf(accountId);
    const banner = token
      ? h('p', { class: 'muted' }, t('account.actingFor', { name: account.name, until: fmtDate(launchInfo.expiresAt) }), ' ',
          h('button', { type: 'button', class: 'secondary', onclick: async (e) => {
            await busy(e.currentTarget, t('launch.ending'), () => api('DELETE', `/launches/${launchInfo.launchId}`));
            sessionStorage.removeItem(`launch:${accountId}`);
            location.hash = '#/companies';
          } }, t('launch.end')))
      : null;
    const body = h('div', {});
    show(
      h('h1', {}, account.name),
      banner,
      h('nav', { class: 'tabs', 'aria-label': t('account.sections') }, TABS.map((x) => h('a', { href: `#/a/${accountId}/${x}`, 'aria-current': x === tab ? 'page' : undefined }, t(`tab.${x}`)))),
      body,
    );
    const render = { members: membersTab, groups: groupsTab, vaults: vaultsTab, recovery: recoveryTab, policies: policiesTab, provisioning: provisioningTab }[tab] || membersTab;
    try {
      await render(body, accountId, token, account);
    } catch (err) {
      alertError(err);
    }
    return undefined;
  }

  async function membersTab(host, accountId, token) {
    const members = await api('GET', `/accounts/${accountId}/members`, undefined, token);
    const email = h('input', { type: 'email', name: 'email', required: true });
    const group = select('group', [['', t('members.noGroup')], ['Administrators', t('group.Administrators')], ['Owners', t('group.Owners')]], '');
    const invite = h('button', { type: 'submit' }, t('members.invite'));
    const refresh = () => accountPage(accountId, 'members');
    host.replaceChildren(
      h('form', { class: 'toolbar', onsubmit: async (e) => {
        e.preventDefault();
        const r = await busy(invite, t('members.inviting'), () => api('POST', `/accounts/${accountId}/members`, { email: email.value, group: group.value || undefined }, token));
        if (r) {
          notify(t('members.invited', { email: email.value }));
          await refresh();
        }
      } }, field(t('members.email'), email), field(t('members.group'), group), invite),
      h('table', {},
        h('caption', {}, t('members.caption', { count: fmtNumber(members.length) })),
        h('thead', {}, h('tr', {}, [t('members.col.email'), t('members.col.state'), t('members.col.groups'), t('members.col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, members.map((m) => h('tr', {},
          h('th', { scope: 'row' }, m.email || m.userName, m.scimManaged ? h('span', { class: 'muted' }, ` · ${t('members.viaScim')}`) : null),
          h('td', {}, t(`state.${m.state}`), m.held.length ? h('div', { class: 'muted' }, t('members.held', { what: m.held.map((x) => t(`held.${x.kind}`)).join(', ') })) : null),
          h('td', {}, m.groups.map((g) => t(`group.${g}`) === `group.${g}` ? g : t(`group.${g}`)).join(', ')),
          h('td', {},
            m.groups.includes('Owners') ? null : h('button', { type: 'button', class: 'secondary', onclick: async (e) => { if (await busy(e.currentTarget, t('busy'), () => api('PUT', `/accounts/${accountId}/members/${m.id}/groups/Owners`, undefined, token))) await refresh(); } }, t('members.makeOwner')),
            ' ',
            m.groups.includes('Administrators') ? null : h('button', { type: 'button', class: 'secondary', onclick: async (e) => { if (await busy(e.currentTarget, t('busy'), () => api('PUT', `/accounts/${accountId}/members/${m.id}/groups/Administrators`, undefined, token))) await refresh(); } }, t('members.makeAdmin')),
            ' ',
            m.state === 'invited' ? h('button', { type: 'button', class: 'secondary', onclick: async (e) => { if (await busy(e.currentTarget, t('busy'), () => api('POST', `/accounts/${accountId}/members/${m.id}/resend-invitation`, undefined, token))) notify(t('members.resent', { email: m.email })); } }, t('members.resend')) : null,
          ),
        ))),
      ),
    );
  }

  async function groupsTab(host, accountId, token) {
    const groups = await api('GET', `/accounts/${accountId}/groups`, undefined, token);
    const name = h('input', { name: 'name', required: true });
    const add = h('button', { type: 'submit' }, t('groups.create'));
    host.replaceChildren(
      h('form', { class: 'toolbar', onsubmit: async (e) => {
        e.preventDefault();
        if (await busy(add, t('busy'), () => api('POST', `/accounts/${accountId}/groups`, { name: name.value }, token))) await accountPage(accountId, 'groups');
      } }, field(t('groups.name'), name), add),
      h('table', {}, h('caption', {}, t('groups.caption')), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('groups.col.name')), h('th', { scope: 'col' }, t('groups.col.kind')))),
        h('tbody', {}, groups.map((g) => h('tr', {}, h('th', { scope: 'row' }, g.name), h('td', {}, t(`kind.${g.kind}`)))))),
    );
  }

  async function vaultsTab(host, accountId, token) {
    const vaults = await api('GET', `/accounts/${accountId}/vaults`, undefined, token);
    const name = h('input', { name: 'name', required: true });
    const add = h('button', { type: 'submit' }, t('vaults.create'));
    host.replaceChildren(
      h('form', { class: 'toolbar', onsubmit: async (e) => {
        e.preventDefault();
        if (await busy(add, t('busy'), () => api('POST', `/accounts/${accountId}/vaults`, { name: name.value }, token))) await accountPage(accountId, 'vaults');
      } }, field(t('vaults.name'), name), add),
      h('table', {}, h('caption', {}, t('vaults.caption')),
        h('thead', {}, h('tr', {}, [t('vaults.col.name'), t('vaults.col.items'), t('vaults.col.access')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, vaults.map((v) => h('tr', {},
          h('th', { scope: 'row' }, v.access ? h('a', { href: `#/a/${accountId}/vaults/${v.id}` }, v.name) : v.name),
          h('td', {}, fmtNumber(v.items)),
          h('td', {}, v.access ? t('vaults.youHaveAccess') : token
            ? h('button', { type: 'button', onclick: async (e) => {
                if (await busy(e.currentTarget, t('busy'), () => api('POST', `/accounts/${accountId}/vaults/${v.id}/self-access`, undefined, token))) {
                  notify(t('vaults.selfGranted', { name: v.name }));
                  await accountPage(accountId, 'vaults');
                }
              } }, t('vaults.giveMyself'))
            : t('vaults.noAccess')),
        )))),
      token ? h('p', { class: 'muted' }, t('vaults.auditNote')) : null,
    );
  }

  async function vaultPage(accountId, vaultId) {
    const token = forAccount(accountId);
    try {
      const items = await api('GET', `/accounts/${accountId}/vaults/${vaultId}/items`, undefined, token);
      const title = h('input', { name: 'title', required: true });
      const add = h('button', { type: 'submit' }, t('items.add'));
      show(
        h('h1', {}, t('items.title')),
        h('p', {}, h('a', { href: `#/a/${accountId}/vaults` }, t('items.back'))),
        h('form', { class: 'toolbar', onsubmit: async (e) => {
          e.preventDefault();
          if (await busy(add, t('busy'), () => api('POST', `/accounts/${accountId}/vaults/${vaultId}/items`, { title: title.value, category: 'login' }, token))) await vaultPage(accountId, vaultId);
        } }, field(t('items.itemTitle'), title), add),
        h('table', {}, h('caption', {}, t('items.caption', { count: fmtNumber(items.length) })),
          h('thead', {}, h('tr', {}, [t('items.col.title'), t('items.col.category'), t('items.col.updated')].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, items.map((i) => h('tr', {}, h('th', { scope: 'row' }, i.title), h('td', {}, i.category), h('td', {}, fmtDate(i.updatedAt)))))),
      );
    } catch (err) {
      show(h('h1', {}, t('items.title')), h('p', {}, h('a', { href: `#/a/${accountId}/vaults` }, t('items.back'))));
      alertError(err);
    }
  }

  async function recoveryTab(host, accountId, token) {
    const [members, requests] = await Promise.all([api('GET', `/accounts/${accountId}/members`, undefined, token), api('GET', `/accounts/${accountId}/recoveries`, undefined, token)]);
    const who = select('memberId', members.filter((m) => m.state === 'active').map((m) => [m.id, m.email || m.userName]), '');
    const start = h('button', { type: 'submit' }, t('recovery.start'));
    const email = new Map(members.map((m) => [m.id, m.email || m.userName]));
    host.replaceChildren(
      h('p', {}, t('recovery.explain')),
      h('form', { class: 'toolbar', onsubmit: async (e) => {
        e.preventDefault();
        if (await busy(start, t('busy'), () => api('POST', `/accounts/${accountId}/recoveries`, { memberId: who.value }, token))) {
          notify(t('recovery.started', { email: email.get(who.value) }));
          await accountPage(accountId, 'recovery');
        }
      } }, field(t('recovery.member'), who), start),
      h('table', {}, h('caption', {}, t('recovery.caption')),
        h('thead', {}, h('tr', {}, [t('recovery.col.member'), t('recovery.col.status'), t('recovery.col.started'), t('recovery.col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, requests.map((r) => h('tr', {},
          h('th', { scope: 'row' }, email.get(r.memberId) || r.memberId),
          h('td', {}, t(`recoveryStatus.${r.status}`)),
          h('td', {}, fmtDate(r.createdAt)),
          h('td', {}, r.status === 'credentials_set' ? h('button', { type: 'button', onclick: async (e) => {
            if (await busy(e.currentTarget, t('busy'), () => api('POST', `/accounts/${accountId}/recoveries/${r.id}/complete`, undefined, token))) {
              notify(t('recovery.completed', { email: email.get(r.memberId) }));
              await accountPage(accountId, 'recovery');
            }
          } }, t('recovery.complete')) : null),
        )))),
    );
  }

  async function policiesTab(host, accountId, token, account) {
    const s = account.settings || {};
    const p = s.policies || {};
    const plan = s.recoveryPlan || {};
    const minLength = h('input', { type: 'number', name: 'passwordMinLength', min: '8', max: '128', value: String(p.passwordMinLength || 12) });
    const twoFactor = h('input', { type: 'checkbox', name: 'requireTwoFactor', checked: p.requireTwoFactor ? true : undefined });
    const admins = h('input', { type: 'checkbox', name: 'allowAdministrators', checked: plan.allowAdministrators === false ? undefined : true });
    const techs = h('input', { type: 'checkbox', name: 'allowTechnicians', checked: plan.allowTechnicians === false ? undefined : true, disabled: token ? true : undefined });
    const self = h('input', { type: 'checkbox', name: 'technicianSelfAccess', checked: s.technicianSelfAccess === false ? undefined : true, disabled: token ? true : undefined });
    const language = select('defaultLanguage', [['en', 'English'], ['de', 'Deutsch']], account.defaultLanguage);
    const save = h('button', { type: 'submit' }, t('policies.save'));
    const check = (label, input) => h('div', {}, input, ' ', h('label', { for: input.id || (input.id = `f${++uid}`), class: 'inline' }, label));
    host.replaceChildren(h('form', { class: 'stack', onsubmit: async (e) => {
      e.preventDefault();
      const body = { policies: { passwordMinLength: Number(minLength.value), requireTwoFactor: twoFactor.checked }, recoveryPlan: { allowAdministrators: admins.checked }, defaultLanguage: language.value };
      if (!token) {
        body.recoveryPlan.allowTechnicians = techs.checked;
        body.technicianSelfAccess = self.checked;
      }
      if (await busy(save, t('busy'), () => api('PATCH', `/accounts/${accountId}/settings`, body, token))) notify(t('policies.saved'));
    } },
      h('h2', {}, t('policies.team')), field(t('policies.minLength'), minLength), check(t('policies.twoFactor'), twoFactor),
      h('h2', {}, t('policies.recoveryPlan')), check(t('policies.allowAdmins'), admins), check(t('policies.allowTechs'), techs),
      h('h2', {}, t('policies.msp')), check(t('policies.selfAccess'), self), token ? h('p', { class: 'muted' }, t('policies.ownersOnly')) : null,
      h('h2', {}, t('policies.language')), field(t('policies.defaultLanguage'), language),
      save,
    ));
  }

  async function provisioningTab(host, accountId, token) {
    const [scim, mappings, drift, log, groups] = await Promise.all([
      api('GET', `/accounts/${accountId}/scim`, undefined, token),
      api('GET', `/accounts/${accountId}/mappings`, undefined, token),
      api('GET', `/accounts/${accountId}/mappings/drift`, undefined, token),
      api('GET', `/accounts/${accountId}/scim/requests?limit=20`, undefined, token),
      api('GET', `/accounts/${accountId}/groups`, undefined, token),
    ]);
    const refresh = () => accountPage(accountId, 'provisioning');
    const secretBox = h('div', { role: 'status' });
    const label = h('input', { name: 'label' });
    const create = h('button', { type: 'submit' }, t('scim.createToken'));
    const baseUrl = h('input', { readonly: true, value: scim.baseUrl, size: '48' });
    const idpGroup = h('input', { name: 'scimGroup', required: true, list: 'idp-groups' });
    const target = select('group', groups.map((g) => [g.name, t(`group.${g.name}`) === `group.${g.name}` ? g.name : t(`group.${g.name}`)]), 'Administrators');
    const preview = h('button', { type: 'button', class: 'secondary' }, t('mapping.preview'));
    const apply = h('button', { type: 'submit' }, t('mapping.apply'));
    const previewBox = h('div', { role: 'status' });
    const resync = h('button', { type: 'button', class: 'secondary' }, t('mapping.resync'));
    const changesList = (r) => (r.changes.length
      ? h('ul', {}, r.changes.map((c) => h('li', {}, t(`change.${c.change}`, { who: c.email || c.userName || c.memberId, group: c.group }))))
      : h('p', {}, t('mapping.noChanges')));
    preview.addEventListener('click', async () => {
      const r = await busy(preview, t('mapping.previewing'), () => api('POST', `/accounts/${accountId}/mappings`, { scimGroup: idpGroup.value, group: target.value, dryRun: true }, token));
      if (r) previewBox.replaceChildren(h('h3', {}, t('mapping.previewTitle')), changesList(r));
    });
    resync.addEventListener('click', async () => {
      const r = await busy(resync, t('mapping.resyncing'), () => api('POST', `/accounts/${accountId}/mappings/resync`, undefined, token));
      if (r) notify(t('mapping.resynced', { count: fmtNumber(r.changes.length) }));
    });
    host.replaceChildren(
      h('h2', {}, t('scim.title')),
      field(t('scim.baseUrl'), baseUrl), copyButton(scim.baseUrl),
      h('form', { class: 'toolbar', onsubmit: async (e) => {
        e.preventDefault();
        const r = await busy(create, t('busy'), () => api('POST', `/accounts/${accountId}/scim/tokens`, { label: label.value || undefined }, token));
        if (r) secretBox.replaceChildren(h('p', {}, h('strong', {}, t('scim.shownOnce'))), h('div', { class: 'secret', 'data-testid': 'scim-token' }, r.token), copyButton(r.token));
      } }, field(t('scim.label'), label), create),
      secretBox,
      h('table', {}, h('caption', {}, t('scim.tokens')),
        h('thead', {}, h('tr', {}, [t('scim.col.prefix'), t('scim.col.label'), t('scim.col.created'), t('scim.col.lastUsed'), t('scim.col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, scim.tokens.map((tk) => h('tr', {},
          h('th', { scope: 'row' }, `${tk.prefix}…`), h('td', {}, tk.label || ''), h('td', {}, fmtDate(tk.createdAt)), h('td', {}, tk.lastUsedAt ? fmtDate(tk.lastUsedAt) : t('never')),
          h('td', {}, tk.revokedAt ? t('scim.revoked') : h('button', { type: 'button', class: 'danger', onclick: async (e) => { if (await busy(e.currentTarget, t('busy'), () => api('DELETE', `/accounts/${accountId}/scim/tokens/${tk.id}`, undefined, token))) await refresh(); } }, t('scim.revoke'))),
        )))),
      h('h2', {}, t('mapping.title')),
      h('datalist', { id: 'idp-groups' }, drift.unmappedGroups.concat(mappings.filter((m) => m.idpGroupId).map((m) => ({ id: m.idpGroupId, displayName: m.idpDisplayName }))).map((g) => h('option', { value: g.id }, g.displayName))),
      h('form', { class: 'toolbar', onsubmit: async (e) => {
        e.preventDefault();
        const r = await busy(apply, t('busy'), () => api('POST', `/accounts/${accountId}/mappings`, { scimGroup: idpGroup.value, group: target.value }, token));
        if (r) {
          notify(t('mapping.applied', { count: fmtNumber(r.changes.length) }));
          await refresh();
        }
      } }, field(t('mapping.idpGroup'), idpGroup), field(t('mapping.target'), target), preview, apply, h('span', { class: 'spacer' }), resync),
      previewBox,
      h('table', {}, h('caption', {}, t('mapping.caption')),
        h('thead', {}, h('tr', {}, [t('mapping.col.idpGroup'), t('mapping.col.group'), t('mapping.col.kind')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, mappings.map((m) => h('tr', {}, h('th', { scope: 'row' }, m.idpDisplayName || m.idpExternalId || m.idpGroupId), h('td', {}, m.group), h('td', {}, m.automatic ? t('mapping.automatic') : t('mapping.explicit')))))),
      h('h2', {}, t('held.title')),
      drift.held.length
        ? h('ul', {}, drift.held.map((x) => h('li', {}, t('held.line', { who: x.email || x.memberId, what: t(`held.${x.kind}`), since: fmtDate(x.since) }))))
        : h('p', {}, t('held.none')),
      h('h2', {}, t('log.title')),
      h('table', {}, h('caption', {}, t('log.caption')),
        h('thead', {}, h('tr', {}, [t('log.col.time'), t('log.col.request'), t('log.col.status'), t('log.col.idp'), t('log.col.detail')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, log.map((r) => h('tr', {}, h('td', {}, fmtDate(r.createdAt)), h('th', { scope: 'row' }, `${r.method} ${r.path}`), h('td', {}, String(r.status)), h('td', {}, r.idp || ''), h('td', {}, r.detail || ''))))),
    );
  }

  // ---- MSP settings ----
  async function techniciansPage() {
    const staff = await api('GET', '/technicians').catch((e) => (alertError(e), []));
    const email = h('input', { type: 'email', name: 'email', required: true });
    const add = h('button', { type: 'submit' }, t('tech.add'));
    show(
      h('h1', {}, t('tech.title')),
      h('form', { class: 'toolbar', onsubmit: async (e) => {
        e.preventDefault();
        const r = await busy(add, t('busy'), () => api('POST', '/technicians', { email: email.value }));
        if (r) {
          notify(r.invited ? t('tech.invited', { email: email.value }) : t('tech.added', { email: email.value }));
          await techniciansPage();
        }
      } }, field(t('tech.email'), email), add),
      h('table', {}, h('caption', {}, t('tech.caption')),
        h('thead', {}, h('tr', {}, [t('tech.col.email'), t('tech.col.roles'), t('tech.col.state'), t('tech.col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, staff.map((s) => h('tr', {},
          h('th', { scope: 'row' }, s.email || s.memberId), h('td', {}, s.roles.map((r) => t(`group.${r}`)).join(', ')), h('td', {}, t(`state.${s.state}`)),
          h('td', {}, s.roles.includes('MSP Technicians') ? h('button', { type: 'button', class: 'danger', onclick: async (e) => {
            const r = await busy(e.currentTarget, t('busy'), () => api('DELETE', `/technicians/${s.memberId}`));
            if (r) {
              notify(r.stillTechnician ? t('tech.stillByIdp') : t('tech.removed', { email: s.email }));
              await techniciansPage();
            }
          } }, t('tech.remove')) : null),
        )))),
    );
  }

  async function tokensPage() {
    const tokens = await api('GET', '/api-tokens').catch((e) => (alertError(e), []));
    const label = h('input', { name: 'label' });
    const create = h('button', { type: 'submit' }, t('tokens.create'));
    const secret = h('div', { role: 'status' });
    show(
      h('h1', {}, t('tokens.title')),
      h('form', { class: 'toolbar', onsubmit: async (e) => {
        e.preventDefault();
        const r = await busy(create, t('busy'), () => api('POST', '/api-tokens', { label: label.value || undefined }));
        if (r) secret.replaceChildren(h('p', {}, h('strong', {}, t('tokens.shownOnce'))), h('div', { class: 'secret' }, r.token), copyButton(r.token));
      } }, field(t('tokens.label'), label), create),
      secret,
      h('table', {}, h('caption', {}, t('tokens.caption')),
        h('thead', {}, h('tr', {}, [t('tokens.col.prefix'), t('tokens.col.label'), t('tokens.col.created'), t('tokens.col.lastUsed'), t('tokens.col.actions')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, tokens.map((tk) => h('tr', {},
          h('th', { scope: 'row' }, `${tk.prefix}…`), h('td', {}, tk.label || ''), h('td', {}, fmtDate(tk.createdAt)), h('td', {}, tk.lastUsedAt ? fmtDate(tk.lastUsedAt) : t('never')),
          h('td', {}, tk.revokedAt ? t('scim.revoked') : h('button', { type: 'button', class: 'danger', onclick: async (e) => { if (await busy(e.currentTarget, t('busy'), () => api('DELETE', `/api-tokens/${tk.id}`))) await tokensPage(); } }, t('tokens.revoke'))),
        )))),
    );
  }

  async function auditPage() {
    const action = h('input', { name: 'action' });
    const since = h('input', { type: 'date', name: 'since' });
    const apply = h('button', { type: 'submit' }, t('audit.filter'));
    const host = h('div', {});
    const csv = h('a', { class: 'button secondary', href: '/api/v1/audit?format=csv', download: 'audit.csv' }, t('audit.csv'));
    const load = async () => {
      const q = new URLSearchParams({ limit: '200' });
      if (action.value) q.set('action', action.value);
      if (since.value) q.set('since', new Date(since.value).toISOString());
      csv.href = `/api/v1/audit?${q}&format=csv`;
      const events = await api('GET', `/audit?${q}`).catch((e) => (alertError(e), []));
      host.replaceChildren(h('table', {}, h('caption', {}, t('audit.caption', { count: fmtNumber(events.length) })),
        h('thead', {}, h('tr', {}, [t('audit.col.time'), t('audit.col.actor'), t('audit.col.action'), t('audit.col.account')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, events.map((e) => h('tr', {}, h('td', {}, fmtDate(e.createdAt)), h('td', {}, e.actorLabel || e.actorKind), h('th', { scope: 'row' }, e.action), h('td', {}, e.accountId))))));
    };
    show(h('h1', {}, t('audit.title')), h('form', { class: 'toolbar', onsubmit: (e) => { e.preventDefault(); void load(); } }, field(t('audit.action'), action), field(t('audit.since'), since), apply, h('span', { class: 'spacer' }), csv), host);
    await load();
  }

  function jobsPage() {
    show(h('h1', {}, t('jobs.title')), h('p', {}, t('jobs.explain')), h('p', {}, h('a', { class: 'button', href: '/console/jobs' }, t('jobs.open'))));
  }

  // ---- start ----
  async function loadMessages(lang) {
    const res = await fetch(`/console/messages.json?lang=${encodeURIComponent(lang)}`, { credentials: 'same-origin' });
    const data = await res.json();
    state.lang = data.lang;
    state.messages = data.messages;
    document.documentElement.lang = data.lang;
    document.title = t('app.title');
    document.getElementById('language').value = data.lang;
    document.querySelector('label.lang').textContent = t('language');
    document.getElementById('signout').textContent = t('signout');
    document.querySelector('.skip').textContent = t('skip');
  }

  async function boot() {
    const session = await fetch('/api/v1/session', { credentials: 'same-origin' }).then((r) => (r.ok ? r.json() : null));
    state.csrf = session ? session.csrfToken : null;
    state.me = session ? await api('GET', '/me').catch(() => null) : null;
    await loadMessages(state.lang);
    document.getElementById('who').textContent = state.me ? t('who', { email: state.me.email || '', account: state.me.accountName }) : '';
    document.getElementById('signout').hidden = !state.me;
    await route();
  }

  document.getElementById('language').addEventListener('change', async (e) => {
    const lang = e.target.value;
    await fetch('/console/language', { method: 'POST', headers: { 'content-type': 'application/json', ...(state.csrf ? { 'x-csrf-token': state.csrf } : {}) }, body: JSON.stringify({ lang }), credentials: 'same-origin' });
    state.lang = lang;
    await boot();
  });
  document.getElementById('signout').addEventListener('click', async () => {
    await fetch('/auth/logout', { method: 'POST', headers: { accept: 'application/json' }, credentials: 'same-origin' });
    sessionStorage.clear();
    location.hash = '';
    await boot();
  });
  window.addEventListener('hashchange', () => void route().then(() => main().focus()));
  void boot();
})();
