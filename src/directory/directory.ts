// The org directory in memory: units, people, roles, and look-up of a person by a chat id.

/** A chat platform a person has an account on (the directory lists their ids there). */
export type ChatPlatform = 'feishu' | 'wecom';
/** Where events come from and messages go: a chat platform, or the local console (where a person is their id). */
export type Platform = ChatPlatform | 'console';

export interface Person {
  id: string;
  name: string;
  feishu?: { open_id?: string; user_id?: string };
  wecom?: { userid?: string };
  /** The one platform this person is reached on. */
  prefer: ChatPlatform;
}

export interface Unit {
  id: string;
  name: string;
  head: string;
  deputies: string[];
  contacts: string[];
}

export interface DirectoryData {
  issuer: string;
  office: string[];
  /** The office's heads (`office_heads:`): the whole office's digest, and the items of an owner who leaves. */
  officeHeads?: string[];
  /** The leaders who instruct items (批办领导); absent: none. */
  leaders?: string[];
  units: Unit[];
  people: Person[];
}

export type Role =
  | { role: 'office' }
  | { role: 'head'; unit: string }
  | { role: 'deputy'; unit: string }
  | { role: 'contact'; unit: string };

/** Immutable snapshot of a checked directory file. A reload swaps the whole snapshot. */
export class Directory {
  readonly issuer: string;
  readonly office: readonly string[];
  /** The office's heads (`office_heads:`, all of them office members), in the file's order; empty when none. */
  readonly officeHeads: readonly string[];
  /** The committee's or government's leaders who instruct items (批办领导): they review what they instructed. */
  readonly leaders: readonly string[];
  private readonly units = new Map<string, Unit>();
  private readonly unitsByName = new Map<string, Unit>();
  private readonly people = new Map<string, Person>();
  private readonly byFeishu = new Map<string, Person>();
  private readonly byWecom = new Map<string, Person>();

  /**
   * `formerNames`: people's names as earlier directories gave them (kept in Redis), so that a record naming someone
   * since removed from the file still reads as a name, never an id.
   */
  constructor(
    data: DirectoryData,
    private readonly formerNames: ReadonlyMap<string, string> = new Map(),
  ) {
    this.issuer = data.issuer;
    this.office = [...data.office];
    this.officeHeads = [...(data.officeHeads ?? [])];
    this.leaders = [...(data.leaders ?? [])];
    for (const u of data.units) {
      this.units.set(u.id, u);
      this.unitsByName.set(u.name, u);
    }
    for (const p of data.people) {
      this.people.set(p.id, p);
      if (p.feishu?.open_id) this.byFeishu.set(p.feishu.open_id, p);
      if (p.feishu?.user_id) this.byFeishu.set(p.feishu.user_id, p);
      if (p.wecom?.userid) this.byWecom.set(p.wecom.userid, p);
    }
  }

  person(id: string): Person | undefined {
    return this.people.get(id);
  }

  /** Resolves a unit by id or by its full name. */
  unit(idOrName: string): Unit | undefined {
    return this.units.get(idOrName) ?? this.unitsByName.get(idOrName);
  }

  /** A unit's full name for messages; the id itself when the directory no longer has it. */
  unitName(id: string): string {
    return this.unit(id)?.name ?? id;
  }

  /** A person's name for messages: from this directory, else as an earlier one named them, else (never seen) the id. */
  personName(id: string): string {
    return this.people.get(id)?.name ?? this.formerNames.get(id) ?? id;
  }

  allUnits(): Unit[] {
    return [...this.units.values()];
  }

  allPeople(): Person[] {
    return [...this.people.values()];
  }

  /** Finds the person behind any of the chat ids a platform gives for a sender. */
  findByChatId(platform: Platform, ...ids: (string | undefined)[]): Person | undefined {
    const index = platform === 'feishu' ? this.byFeishu : platform === 'wecom' ? this.byWecom : this.people;
    for (const id of ids) {
      if (!id) continue;
      const p = index.get(id);
      if (p) return p;
    }
    return undefined;
  }

  rolesOf(personId: string): Role[] {
    const roles: Role[] = [];
    if (this.office.includes(personId)) roles.push({ role: 'office' });
    for (const u of this.units.values()) {
      if (u.head === personId) roles.push({ role: 'head', unit: u.id });
      if (u.deputies.includes(personId)) roles.push({ role: 'deputy', unit: u.id });
      if (u.contacts.includes(personId)) roles.push({ role: 'contact', unit: u.id });
    }
    return roles;
  }

  isOffice(personId: string): boolean {
    return this.office.includes(personId);
  }

  /** A leader who may instruct items (批办领导, the directory's `leaders:`). */
  isLeader(personId: string): boolean {
    return this.leaders.includes(personId);
  }

  /** Units where the person is head, deputy or contact. */
  unitsOf(personId: string): string[] {
    return [...new Set(this.rolesOf(personId).flatMap((r) => (r.role === 'office' ? [] : [r.unit])))];
  }
}
