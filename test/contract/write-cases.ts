import { describe, expect, test } from 'vitest'
import { METADATA_MAX_BYTES, NotFoundError, StoreError } from '../../src/index.js'
import type { Harness } from './harness.js'
import { expectEmpty, expectInvalid, HOSTILE_STRINGS, userId } from './helpers.js'

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** Writes: what is stored, what comes back, what is refused. */
export function writeCases(h: Harness): void {
  describe('writes', () => {
    test('createLogEntry stores every field and getLog returns it unchanged', async () => {
      const { audit } = await h.open()
      const [target, admin] = [userId(), userId()]
      const before = Date.now()
      const entry = await audit.createLogEntry({
        targetUserUuid: target,
        adminUserUuid: admin,
        action: 'user_created',
        ipAddress: '192.168.1.1',
        userAgent: 'Mozilla/5.0',
        metadata: { plan: 'pro', seats: 3, tags: ['a', 'b'], nested: { ok: true, none: null } },
      })
      expect(entry).toMatchObject({ targetUserUuid: target, adminUserUuid: admin, action: 'user_created' })
      expect(entry.uuid).toMatch(UUID_V7)
      expect(entry.insertedAt.getTime()).toBeGreaterThanOrEqual(before)
      expect(entry.insertedAt.getTime()).toBe(Number.parseInt(entry.uuid.replace(/-/g, '').slice(0, 12), 16))
      const read = await audit.getLog(entry.uuid)
      expect(read).toEqual(entry)
      expect(JSON.stringify(read.metadata)).toBe(JSON.stringify(entry.metadata))
    })

    test('optional fields default to null and {}', async () => {
      const { audit } = await h.open()
      const entry = await audit.createLogEntry({
        targetUserUuid: userId(),
        adminUserUuid: userId(),
        action: 'user_locked',
      })
      expect(entry).toMatchObject({ ipAddress: null, userAgent: null, metadata: {} })
      expect(await audit.getLog(entry.uuid)).toEqual(entry)
      const nulls = await audit.createLogEntry({
        targetUserUuid: userId(),
        adminUserUuid: userId(),
        action: 'user_locked',
        ipAddress: null,
        userAgent: null,
        metadata: undefined,
      })
      expect(await audit.getLog(nulls.uuid)).toMatchObject({ ipAddress: null, userAgent: null, metadata: {} })
    })

    test('logPasswordChange defaults the action to admin_password_reset and accepts another', async () => {
      const { audit } = await h.open()
      const reset = await audit.logPasswordChange({ targetUserUuid: userId(), adminUserUuid: userId() })
      expect(reset.action).toBe('admin_password_reset')
      const other = await audit.logPasswordChange({
        targetUserUuid: userId(),
        adminUserUuid: userId(),
        action: 'user_updated',
      })
      expect(other.action).toBe('user_updated')
      expect(await audit.countLogs({ action: 'admin_password_reset' })).toBe(1)
    })

    test('logPasswordChange without admin_password_reset among the actions needs an action', async () => {
      const { audit } = await h.open({ actions: ['invoice_voided'] })
      await expectInvalid(audit.logPasswordChange({ targetUserUuid: userId(), adminUserUuid: userId() }), ['action'])
      expect(
        (await audit.logPasswordChange({ targetUserUuid: userId(), adminUserUuid: userId(), action: 'invoice_voided' }))
          .action,
      ).toBe('invoice_voided')
    })

    test('UUIDs are stored lowercase and found in any case', async () => {
      const { audit } = await h.open()
      const target = userId().toUpperCase()
      const entry = await audit.createLogEntry({
        targetUserUuid: target,
        adminUserUuid: userId(),
        action: 'user_updated',
      })
      expect(entry.targetUserUuid).toBe(target.toLowerCase())
      expect(await audit.countLogs({ targetUserUuid: target })).toBe(1)
      expect(await audit.getLog(entry.uuid.toUpperCase())).toEqual(entry)
    })

    test("userIdFormat 'string' takes any id of 1..255 characters, stored exactly", async () => {
      const { audit } = await h.open({ userIdFormat: 'string' })
      const ids = [
        'auth0|5f7c8ec7c33c6c004bbafe82',
        'user_2NNEqL2nrIRdJ194ndJqAHwEfxC',
        'X'.repeat(255),
        ...HOSTILE_STRINGS,
      ]
      for (const id of ids) {
        const entry = await audit.createLogEntry({
          targetUserUuid: id,
          adminUserUuid: 'Admin-ÄÖ',
          action: 'role_assigned',
        })
        expect((await audit.getLog(entry.uuid)).targetUserUuid).toBe(id)
        expect(await audit.countLogs({ targetUserUuid: id })).toBe(1)
      }
      const base = { adminUserUuid: 'a', action: 'role_assigned' as const }
      await expectInvalid(audit.createLogEntry({ ...base, targetUserUuid: '' }), ['targetUserUuid'])
      await expectInvalid(audit.createLogEntry({ ...base, targetUserUuid: 'X'.repeat(256) }), ['targetUserUuid'])
      await expectInvalid(audit.createLogEntry({ ...base, targetUserUuid: 'a\u0000b' }), ['targetUserUuid'])
      await expectInvalid(audit.createLogEntry({ ...base, targetUserUuid: 'a\ud800' }), ['targetUserUuid'])
      expect(await audit.countLogs()).toBe(ids.length)
    })

    test('IPv4 and IPv6 addresses are accepted; anything else is refused', async () => {
      const { audit } = await h.open()
      const base = { targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_updated' as const }
      for (const ip of [
        '127.0.0.1',
        '255.255.255.255',
        '::1',
        '2001:db8::8a2e:370:7334',
        '::ffff:192.0.2.1',
        'fe80::1%eth0',
      ]) {
        expect((await audit.createLogEntry({ ...base, ipAddress: ip })).ipAddress).toBe(ip)
      }
      for (const ip of ['', '256.1.1.1', '1.2.3', 'localhost', '::g', '1.2.3.4 ', "1.1.1.1'; --"]) {
        await expectInvalid(audit.createLogEntry({ ...base, ipAddress: ip }), ['ipAddress'])
      }
      await expectInvalid(audit.createLogEntry({ ...base, ipAddress: 3232235777 as never }), ['ipAddress'])
      expect(await audit.countLogs()).toBe(6)
    })

    test('every bad write is a ValidationError naming the field, and nothing is written', async () => {
      const { audit } = await h.open()
      const ok = { targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_deleted' as const }
      const bad: [unknown, string[]][] = [
        [{}, ['targetUserUuid', 'adminUserUuid', 'action']],
        [{ ...ok, targetUserUuid: undefined }, ['targetUserUuid']],
        [{ ...ok, targetUserUuid: null }, ['targetUserUuid']],
        [{ ...ok, adminUserUuid: 42 }, ['adminUserUuid']],
        [{ ...ok, adminUserUuid: 'not-a-uuid' }, ['adminUserUuid']],
        [{ ...ok, action: 'user_vaporized' }, ['action']],
        [{ ...ok, action: null }, ['action']],
        [{ ...ok, userAgent: 42 }, ['userAgent']],
        [{ ...ok, metadata: 'text' }, ['metadata']],
        [{ ...ok, metadata: null }, ['metadata']],
        [{ ...ok, metadata: [1, 2] }, ['metadata']],
        [{ ...ok, target_user_uuid: ok.targetUserUuid }, ['target_user_uuid']],
        [{ ...ok, insertedAt: new Date() }, ['insertedAt']],
        [{ ...ok, uuid: userId() }, ['uuid']],
        [null, ['input']],
        ['user_deleted', ['input']],
      ]
      for (const [input, fields] of bad) await expectInvalid(audit.createLogEntry(input as never), fields)
      await expectEmpty(audit)
    })

    test('metadata: plain JSON, Dates as ISO strings, undefined dropped, keys in one order on every engine', async () => {
      const { audit } = await h.open()
      const metadata = {
        zeta: 1,
        a: [1, 'two', null, { deep: [true, false] }],
        at: new Date('2026-01-02T03:04:05.006Z'),
        gone: undefined,
        mid: -0.5,
        big: 1e21,
        emptyObj: {},
        emptyArr: [],
        [String.fromCharCode(0xe9)]: 'é-key',
      }
      const entry = await audit.createLogEntry({
        targetUserUuid: userId(),
        adminUserUuid: userId(),
        action: 'user_updated',
        metadata,
      })
      expect(entry.metadata).toEqual({
        zeta: 1,
        a: [1, 'two', null, { deep: [true, false] }],
        at: '2026-01-02T03:04:05.006Z',
        mid: -0.5,
        big: 1e21,
        emptyObj: {},
        emptyArr: [],
        é: 'é-key',
      })
      const read = await audit.getLog(entry.uuid)
      expect(read.metadata).toEqual(entry.metadata)
      expect(JSON.stringify(read.metadata)).toBe(JSON.stringify(entry.metadata))
    })

    test('metadata keeps a __proto__ key as data and stores -0 as 0', async () => {
      const { audit } = await h.open()
      const metadata = JSON.parse('{"__proto__": {"polluted": true}, "a": 2, "z": -0}')
      const entry = await audit.createLogEntry({
        targetUserUuid: userId(),
        adminUserUuid: userId(),
        action: 'user_updated',
        metadata,
      })
      expect(Object.keys(entry.metadata)).toEqual(['a', 'z', '__proto__'])
      expect(Object.is(entry.metadata.z, 0)).toBe(true)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
      const read = await audit.getLog(entry.uuid)
      expect(JSON.stringify(read.metadata)).toBe(JSON.stringify(entry.metadata))
      expect(Object.getPrototypeOf(read.metadata)).toBe(Object.prototype)
    })

    test('metadata that is not plain JSON is refused with the path of the offending value', async () => {
      const { audit } = await h.open()
      const cyclic: Record<string, unknown> = { a: 1 }
      cyclic.self = cyclic
      let deep: Record<string, unknown> = {}
      const root = deep
      for (let i = 0; i < 100; i++) deep = deep.x = {} as Record<string, unknown>
      const base = { targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_updated' as const }
      const cases: [unknown, string][] = [
        [cyclic, 'metadata.self'],
        [{ f: () => 1 }, 'metadata.f'],
        [{ n: 10n }, 'metadata.n'],
        [{ n: Number.NaN }, 'metadata.n'],
        [{ list: [1, Number.POSITIVE_INFINITY] }, 'metadata.list[1]'],
        [{ s: Symbol('x') }, 'metadata.s'],
        [{ m: new Map() }, 'metadata.m'],
        [{ d: new Date('nope') }, 'metadata.d'],
        [{ list: [undefined] }, 'metadata.list[0]'],
        [new Map([['a', 1]]), 'metadata'],
        [root, `metadata${'.x'.repeat(64)}`],
        [{ blob: 'x'.repeat(METADATA_MAX_BYTES) }, 'metadata'],
      ]
      for (const [metadata, field] of cases) {
        const error = await expectInvalid(audit.createLogEntry({ ...base, metadata: metadata as never }), [field])
        expect(error.message).toContain(field)
      }
      await expectEmpty(audit)
    })

    test('metadata of exactly 64 KiB is accepted; one byte more is not', async () => {
      const { audit } = await h.open()
      const base = { targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_updated' as const }
      const overhead = JSON.stringify({ blob: '' }).length
      const room = METADATA_MAX_BYTES - overhead
      const exact = { blob: 'é'.repeat(Math.floor(room / 2)) + 'x'.repeat(room % 2) }
      expect(Buffer.byteLength(JSON.stringify(exact))).toBe(METADATA_MAX_BYTES)
      const entry = await audit.createLogEntry({ ...base, metadata: exact })
      expect((await audit.getLog(entry.uuid)).metadata).toEqual(exact)
      await expectInvalid(audit.createLogEntry({ ...base, metadata: { blob: `${exact.blob}x` } }), ['metadata'])
      expect(await audit.countLogs()).toBe(1)
    })

    test('user agents are cut to 2048 characters and never refused', async () => {
      const { audit } = await h.open()
      const base = { targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_updated' as const }
      const long = await audit.createLogEntry({ ...base, userAgent: 'A'.repeat(100_000) })
      expect(long.userAgent).toBe('A'.repeat(2048))
      const pair = await audit.createLogEntry({ ...base, userAgent: `${'B'.repeat(2047)}😀tail` })
      expect(pair.userAgent).toHaveLength(2048)
      expect(pair.userAgent?.isWellFormed()).toBe(true)
      for (const e of [long, pair]) expect(await audit.getLog(e.uuid)).toEqual(e)
    })

    test('NUL and lone surrogates in user agents and metadata are replaced, and read back as returned', async () => {
      const { audit } = await h.open()
      const nasty = 'a\u0000b\ud800c\udfffd\u0001\u007f😀'
      const entry = await audit.createLogEntry({
        targetUserUuid: userId(),
        adminUserUuid: userId(),
        action: 'user_updated',
        userAgent: nasty,
        metadata: { [nasty]: nasty, list: [nasty, { k: nasty }] },
      })
      const clean = 'a\ufffdb\ufffdc\ufffdd\u0001\u007f😀'
      expect(entry.userAgent).toBe(clean)
      expect(entry.metadata).toEqual({ [clean]: clean, list: [clean, { k: clean }] })
      const read = await audit.getLog(entry.uuid)
      expect(read).toEqual(entry)
      expect(JSON.stringify(read)).toBe(JSON.stringify(entry))
    })

    test('injection-looking strings are stored and read verbatim', async () => {
      const { audit } = await h.open()
      for (const s of HOSTILE_STRINGS) {
        const entry = await audit.createLogEntry({
          targetUserUuid: userId(),
          adminUserUuid: userId(),
          action: 'user_updated',
          userAgent: s,
          metadata: { [s]: s },
        })
        expect(await audit.getLog(entry.uuid)).toEqual(entry)
        expect(entry.userAgent).toBe(s)
      }
      expect(await audit.countLogs()).toBe(HOSTILE_STRINGS.length)
    })

    test('createLogEntries writes all entries in order, or none', async () => {
      const { audit } = await h.open()
      expect(await audit.createLogEntries([])).toEqual([])
      const target = userId()
      const inputs = Array.from({ length: 50 }, (_, i) => ({
        targetUserUuid: target,
        adminUserUuid: userId(),
        action: 'user_created' as const,
        metadata: { i },
      }))
      const written = await audit.createLogEntries(inputs)
      expect(written.map((e) => e.metadata.i)).toEqual(inputs.map((_, i) => i))
      expect(await audit.countLogs({ targetUserUuid: target })).toBe(50)
      for (const e of written.slice(0, 3)) expect(await audit.getLog(e.uuid)).toEqual(e)

      const error = await expectInvalid(
        audit.createLogEntries([
          inputs[0]!,
          { ...inputs[1]!, ipAddress: 'nope' },
          { ...inputs[2]!, action: 'x' as never },
        ]),
        ['[1].ipAddress', '[2].action'],
      )
      expect(error.message).toContain('[1].ipAddress')
      await expectInvalid(audit.createLogEntries('nope' as never), ['entries'])
      expect(await audit.countLogs()).toBe(50)
    })

    test('a database failure surfaces as StoreError and a batch leaves nothing behind', async () => {
      const fixture = await h.open()
      const { audit } = fixture
      await fixture.failInsertsOf('user_locked')
      const ok = { targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_created' as const }
      const failing = { ...ok, action: 'user_locked' as const }
      const single = await audit.createLogEntry(failing).catch((e: unknown) => e)
      expect(single).toBeInstanceOf(StoreError)
      expect((single as StoreError).cause).toBeInstanceOf(Error)
      expect((single as StoreError).message).toContain('injected failure')
      const batch = await audit.createLogEntries([ok, ok, failing, ok]).catch((e: unknown) => e)
      expect(batch).toBeInstanceOf(StoreError)
      await expectEmpty(audit)
      expect((await audit.createLogEntries([ok, ok])).length).toBe(2)
    })

    test('getLog throws NotFoundError, findLog returns null, a malformed uuid is a ValidationError', async () => {
      const { audit } = await h.open()
      const missing = '0190d5f2-0000-7000-8000-000000000000'
      const error = await audit.getLog(missing).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(NotFoundError)
      expect((error as NotFoundError).uuid).toBe(missing)
      expect(await audit.findLog(missing)).toBeNull()
      await expectInvalid(audit.getLog('123'), ['uuid'])
      await expectInvalid(audit.findLog(123 as never), ['uuid'])
      await expectInvalid(audit.findLog("' OR 1=1 --"), ['uuid'])
    })

    test('custom actions are the only ones accepted, in writes and filters', async () => {
      const { audit } = await h.open({ actions: ['invoice_voided', 'refund_issued'] })
      const entry = await audit.createLogEntry({
        targetUserUuid: userId(),
        adminUserUuid: userId(),
        action: 'refund_issued',
      })
      expect(entry.action).toBe('refund_issued')
      await expectInvalid(
        audit.createLogEntry({ targetUserUuid: userId(), adminUserUuid: userId(), action: 'user_created' as never }),
        ['action'],
      )
      await expectInvalid(audit.listLogsByAction('user_created' as never), ['action'])
      await expectInvalid(audit.countLogs({ action: 'user_created' as never }), ['action'])
      expect(await audit.countLogs({ action: 'refund_issued' })).toBe(1)
    })
  })
}
