export namespace app {
	
	export class EventView {
	    id: number;
	    // Go type: time
	    at: any;
	    type: string;
	    description: string;
	
	    static createFrom(source: any = {}) {
	        return new EventView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.at = this.convertValues(source["at"], null);
	        this.type = source["type"];
	        this.description = source["description"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class PathChange {
	    path: string;
	    before: string;
	    after: string;
	
	    static createFrom(source: any = {}) {
	        return new PathChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.before = source["before"];
	        this.after = source["after"];
	    }
	}
	export class ExecutionView {
	    result?: executor.Result;
	    paths: PathChange[];
	    paths_total: number;
	    in_flight: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ExecutionView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.result = this.convertValues(source["result"], executor.Result);
	        this.paths = this.convertValues(source["paths"], PathChange);
	        this.paths_total = source["paths_total"];
	        this.in_flight = source["in_flight"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ExportResult {
	    path: string;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new ExportResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.count = source["count"];
	    }
	}
	export class Keys {
	    ok: boolean;
	    key_id: string;
	    weak: boolean;
	    problem: string;
	    advice: string;
	
	    static createFrom(source: any = {}) {
	        return new Keys(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ok = source["ok"];
	        this.key_id = source["key_id"];
	        this.weak = source["weak"];
	        this.problem = source["problem"];
	        this.advice = source["advice"];
	    }
	}
	export class Info {
	    version: string;
	    data_dir: string;
	    demo: boolean;
	    user: string;
	    pending: number;
	    keys: Keys;
	    gateway: string;
	    paused: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Info(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.data_dir = source["data_dir"];
	        this.demo = source["demo"];
	        this.user = source["user"];
	        this.pending = source["pending"];
	        this.keys = this.convertValues(source["keys"], Keys);
	        this.gateway = source["gateway"];
	        this.paused = source["paused"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class InsightsCounts {
	    name: string;
	    counts: Record<string, number>;
	
	    static createFrom(source: any = {}) {
	        return new InsightsCounts(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.counts = source["counts"];
	    }
	}
	export class InsightsDenial {
	    id: string;
	    agentId: string;
	    summary: string;
	    reason: string;
	    decidedBy: string;
	    // Go type: time
	    decidedAt: any;
	
	    static createFrom(source: any = {}) {
	        return new InsightsDenial(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.agentId = source["agentId"];
	        this.summary = source["summary"];
	        this.reason = source["reason"];
	        this.decidedBy = source["decidedBy"];
	        this.decidedAt = this.convertValues(source["decidedAt"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class InsightsView {
	    // Go type: time
	    from: any;
	    // Go type: time
	    to: any;
	    byStatus: Record<string, number>;
	    totals: Record<string, number>;
	    agents: InsightsCounts[];
	    days: InsightsCounts[];
	    decided: number;
	    decisionMedianMs: number;
	    decisionP90Ms: number;
	    autoApproved: number;
	    rules: store.NamedCount[];
	    topPaths: store.NamedCount[];
	    topCommands: store.NamedCount[];
	    denials: InsightsDenial[];
	    reasonsRedacted: boolean;
	
	    static createFrom(source: any = {}) {
	        return new InsightsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.from = this.convertValues(source["from"], null);
	        this.to = this.convertValues(source["to"], null);
	        this.byStatus = source["byStatus"];
	        this.totals = source["totals"];
	        this.agents = this.convertValues(source["agents"], InsightsCounts);
	        this.days = this.convertValues(source["days"], InsightsCounts);
	        this.decided = source["decided"];
	        this.decisionMedianMs = source["decisionMedianMs"];
	        this.decisionP90Ms = source["decisionP90Ms"];
	        this.autoApproved = source["autoApproved"];
	        this.rules = this.convertValues(source["rules"], store.NamedCount);
	        this.topPaths = this.convertValues(source["topPaths"], store.NamedCount);
	        this.topCommands = this.convertValues(source["topCommands"], store.NamedCount);
	        this.denials = this.convertValues(source["denials"], InsightsDenial);
	        this.reasonsRedacted = source["reasonsRedacted"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class PastPreview {
	    basis: string;
	    actions: preview.Action[];
	
	    static createFrom(source: any = {}) {
	        return new PastPreview(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.basis = source["basis"];
	        this.actions = this.convertValues(source["actions"], preview.Action);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class TokenCheck {
	    present: boolean;
	    verified: boolean;
	    problem?: string;
	    decision?: string;
	
	    static createFrom(source: any = {}) {
	        return new TokenCheck(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.present = source["present"];
	        this.verified = source["verified"];
	        this.problem = source["problem"];
	        this.decision = source["decision"];
	    }
	}
	export class ProposalView {
	    proposal?: proposal.Proposal;
	    risk_reasons: string[];
	    not_undoable: string[];
	    execution?: ExecutionView;
	    token: TokenCheck;
	
	    static createFrom(source: any = {}) {
	        return new ProposalView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.proposal = this.convertValues(source["proposal"], proposal.Proposal);
	        this.risk_reasons = source["risk_reasons"];
	        this.not_undoable = source["not_undoable"];
	        this.execution = this.convertValues(source["execution"], ExecutionView);
	        this.token = this.convertValues(source["token"], TokenCheck);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class RememberPreview {
	    rule: policy.Rule;
	    description: string;
	    matches: queue.Summary[];
	
	    static createFrom(source: any = {}) {
	        return new RememberPreview(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.rule = this.convertValues(source["rule"], policy.Rule);
	        this.description = source["description"];
	        this.matches = this.convertValues(source["matches"], queue.Summary);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TimelineEntry {
	    id: string;
	    agent_id: string;
	    summary: string;
	    risk: string;
	    status: string;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    expires_at: any;
	    // Go type: time
	    decided_at: any;
	    action_count: number;
	    kinds: string[];
	    verdict: string;
	    decided_by: string;
	    reason: string;
	    token: TokenCheck;
	
	    static createFrom(source: any = {}) {
	        return new TimelineEntry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.agent_id = source["agent_id"];
	        this.summary = source["summary"];
	        this.risk = source["risk"];
	        this.status = source["status"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.expires_at = this.convertValues(source["expires_at"], null);
	        this.decided_at = this.convertValues(source["decided_at"], null);
	        this.action_count = source["action_count"];
	        this.kinds = source["kinds"];
	        this.verdict = source["verdict"];
	        this.decided_by = source["decided_by"];
	        this.reason = source["reason"];
	        this.token = this.convertValues(source["token"], TokenCheck);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TimelinePage {
	    items: TimelineEntry[];
	    next: string;
	
	    static createFrom(source: any = {}) {
	        return new TimelinePage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.items = this.convertValues(source["items"], TimelineEntry);
	        this.next = source["next"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TimelineQuery {
	    agent: string;
	    statuses: string[];
	    kinds: string[];
	    risks: string[];
	    from: string;
	    to: string;
	    path: string;
	    text: string;
	    ids: string[];
	    cursor: string;
	    skip: number;
	    limit: number;
	
	    static createFrom(source: any = {}) {
	        return new TimelineQuery(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.agent = source["agent"];
	        this.statuses = source["statuses"];
	        this.kinds = source["kinds"];
	        this.risks = source["risks"];
	        this.from = source["from"];
	        this.to = source["to"];
	        this.path = source["path"];
	        this.text = source["text"];
	        this.ids = source["ids"];
	        this.cursor = source["cursor"];
	        this.skip = source["skip"];
	        this.limit = source["limit"];
	    }
	}
	
	export class UndoOutcome {
	    done: boolean;
	    result?: executor.Result;
	    conflicts: executor.Conflict[];
	
	    static createFrom(source: any = {}) {
	        return new UndoOutcome(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.done = source["done"];
	        this.result = this.convertValues(source["result"], executor.Result);
	        this.conflicts = this.convertValues(source["conflicts"], executor.Conflict);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace core {
	
	export class HunkChoice {
	    action: number;
	    keep: boolean[];
	
	    static createFrom(source: any = {}) {
	        return new HunkChoice(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.action = source["action"];
	        this.keep = source["keep"];
	    }
	}
	export class PendingRules {
	    sha256: string;
	    added: string[];
	    removed: string[];
	    budgets_changed: boolean;
	    error?: string;
	    text: string;
	
	    static createFrom(source: any = {}) {
	        return new PendingRules(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.sha256 = source["sha256"];
	        this.added = source["added"];
	        this.removed = source["removed"];
	        this.budgets_changed = source["budgets_changed"];
	        this.error = source["error"];
	        this.text = source["text"];
	    }
	}
	export class RuleView {
	    id: string;
	    effect: string;
	    description: string;
	    builtin: boolean;
	    session: boolean;
	    once: boolean;
	    spent: boolean;
	    expired: boolean;
	    created_by?: string;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    expires_at: any;
	    uses: number;
	    // Go type: time
	    last_used: any;
	
	    static createFrom(source: any = {}) {
	        return new RuleView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.effect = source["effect"];
	        this.description = source["description"];
	        this.builtin = source["builtin"];
	        this.session = source["session"];
	        this.once = source["once"];
	        this.spent = source["spent"];
	        this.expired = source["expired"];
	        this.created_by = source["created_by"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.expires_at = this.convertValues(source["expires_at"], null);
	        this.uses = source["uses"];
	        this.last_used = this.convertValues(source["last_used"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class PolicyState {
	    rules: RuleView[];
	    budgets: Record<string, policy.Budget>;
	    roles: policy.RoleInfo[];
	    paused: boolean;
	    // Go type: time
	    paused_at: any;
	    pending?: PendingRules;
	    problem?: string;
	    version: number;
	    // Go type: time
	    accepted_at: any;
	    accepted_by?: string;
	
	    static createFrom(source: any = {}) {
	        return new PolicyState(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.rules = this.convertValues(source["rules"], RuleView);
	        this.budgets = this.convertValues(source["budgets"], policy.Budget, true);
	        this.roles = this.convertValues(source["roles"], policy.RoleInfo);
	        this.paused = source["paused"];
	        this.paused_at = this.convertValues(source["paused_at"], null);
	        this.pending = this.convertValues(source["pending"], PendingRules);
	        this.problem = source["problem"];
	        this.version = source["version"];
	        this.accepted_at = this.convertValues(source["accepted_at"], null);
	        this.accepted_by = source["accepted_by"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Selection {
	    actions: number[];
	    hunks?: HunkChoice[];
	
	    static createFrom(source: any = {}) {
	        return new Selection(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.actions = source["actions"];
	        this.hunks = this.convertValues(source["hunks"], HunkChoice);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace diff {
	
	export class Span {
	    start: number;
	    end: number;
	
	    static createFrom(source: any = {}) {
	        return new Span(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.start = source["start"];
	        this.end = source["end"];
	    }
	}
	export class Line {
	    kind: string;
	    old?: number;
	    new?: number;
	    no_newline?: boolean;
	    text: string;
	    spans?: Span[];
	
	    static createFrom(source: any = {}) {
	        return new Line(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.old = source["old"];
	        this.new = source["new"];
	        this.no_newline = source["no_newline"];
	        this.text = source["text"];
	        this.spans = this.convertValues(source["spans"], Span);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Hunk {
	    old_start: number;
	    old_lines: number;
	    new_start: number;
	    new_lines: number;
	    header: string;
	    lines: Line[];
	
	    static createFrom(source: any = {}) {
	        return new Hunk(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.old_start = source["old_start"];
	        this.old_lines = source["old_lines"];
	        this.new_start = source["new_start"];
	        this.new_lines = source["new_lines"];
	        this.header = source["header"];
	        this.lines = this.convertValues(source["lines"], Line);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Result {
	    path: string;
	    old_exists: boolean;
	    new_exists: boolean;
	    binary: boolean;
	    binary_summary?: string;
	    unified: string;
	    hunks: Hunk[];
	    added: number;
	    deleted: number;
	    coarse: boolean;
	    truncated: boolean;
	    old_sha256?: string;
	    new_sha256?: string;
	    old_size: number;
	    new_size: number;
	
	    static createFrom(source: any = {}) {
	        return new Result(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.old_exists = source["old_exists"];
	        this.new_exists = source["new_exists"];
	        this.binary = source["binary"];
	        this.binary_summary = source["binary_summary"];
	        this.unified = source["unified"];
	        this.hunks = this.convertValues(source["hunks"], Hunk);
	        this.added = source["added"];
	        this.deleted = source["deleted"];
	        this.coarse = source["coarse"];
	        this.truncated = source["truncated"];
	        this.old_sha256 = source["old_sha256"];
	        this.new_sha256 = source["new_sha256"];
	        this.old_size = source["old_size"];
	        this.new_size = source["new_size"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace executor {
	
	export class ActionResult {
	    index: number;
	    kind: string;
	    changed?: number;
	    note?: string;
	    exit_code?: number;
	    http_status?: number;
	    stdout?: string;
	    stderr?: string;
	    duration_ms?: number;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new ActionResult(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.index = source["index"];
	        this.kind = source["kind"];
	        this.changed = source["changed"];
	        this.note = source["note"];
	        this.exit_code = source["exit_code"];
	        this.http_status = source["http_status"];
	        this.stdout = source["stdout"];
	        this.stderr = source["stderr"];
	        this.duration_ms = source["duration_ms"];
	        this.error = source["error"];
	    }
	}
	export class Conflict {
	    path: string;
	    expected: string;
	    found: string;
	    diff?: string;
	
	    static createFrom(source: any = {}) {
	        return new Conflict(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.expected = source["expected"];
	        this.found = source["found"];
	        this.diff = source["diff"];
	    }
	}
	export class Result {
	    outcome: string;
	    error?: string;
	    stale?: boolean;
	    actions?: ActionResult[];
	    not_undoable?: string[];
	    agent_runs?: boolean;
	    rollback?: string;
	    recovered?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Result(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.outcome = source["outcome"];
	        this.error = source["error"];
	        this.stale = source["stale"];
	        this.actions = this.convertValues(source["actions"], ActionResult);
	        this.not_undoable = source["not_undoable"];
	        this.agent_runs = source["agent_runs"];
	        this.rollback = source["rollback"];
	        this.recovered = source["recovered"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace policy {
	
	export class Budget {
	    writes?: number;
	    deletes?: number;
	    bytes?: number;
	
	    static createFrom(source: any = {}) {
	        return new Budget(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.writes = source["writes"];
	        this.deletes = source["deletes"];
	        this.bytes = source["bytes"];
	    }
	}
	export class RoleInfo {
	    role: string;
	    name: string;
	    description: string;
	
	    static createFrom(source: any = {}) {
	        return new RoleInfo(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.role = source["role"];
	        this.name = source["name"];
	        this.description = source["description"];
	    }
	}
	export class Rule {
	    id: string;
	    effect: string;
	    agent?: string;
	    kinds?: string[];
	    path?: string;
	    folder?: string;
	    command?: string[];
	    host?: string;
	    tool?: string;
	    max_risk?: string;
	    max_bytes?: number;
	    // Go type: time
	    expires_at: any;
	    once?: boolean;
	    session?: boolean;
	    created_by?: string;
	    // Go type: time
	    created_at: any;
	
	    static createFrom(source: any = {}) {
	        return new Rule(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.effect = source["effect"];
	        this.agent = source["agent"];
	        this.kinds = source["kinds"];
	        this.path = source["path"];
	        this.folder = source["folder"];
	        this.command = source["command"];
	        this.host = source["host"];
	        this.tool = source["tool"];
	        this.max_risk = source["max_risk"];
	        this.max_bytes = source["max_bytes"];
	        this.expires_at = this.convertValues(source["expires_at"], null);
	        this.once = source["once"];
	        this.session = source["session"];
	        this.created_by = source["created_by"];
	        this.created_at = this.convertValues(source["created_at"], null);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace preview {
	
	export class Action {
	    index: number;
	    kind: string;
	    path?: string;
	    diff?: diff.Result;
	    sheet?: sheet.ChangeSet;
	    error?: string;
	
	    static createFrom(source: any = {}) {
	        return new Action(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.index = source["index"];
	        this.kind = source["kind"];
	        this.path = source["path"];
	        this.diff = this.convertValues(source["diff"], diff.Result);
	        this.sheet = this.convertValues(source["sheet"], sheet.ChangeSet);
	        this.error = source["error"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace proposal {
	
	export class CellEdit {
	    sheet: string;
	    cell: string;
	    value?: string;
	    formula?: string;
	
	    static createFrom(source: any = {}) {
	        return new CellEdit(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.sheet = source["sheet"];
	        this.cell = source["cell"];
	        this.value = source["value"];
	        this.formula = source["formula"];
	    }
	}
	export class Edit {
	    old: string;
	    new: string;
	    replace_all?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Edit(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.old = source["old"];
	        this.new = source["new"];
	        this.replace_all = source["replace_all"];
	    }
	}
	export class Action {
	    kind: string;
	    path?: string;
	    to?: string;
	    content?: string;
	    edits?: Edit[];
	    cells?: CellEdit[];
	    argv?: string[];
	    dir?: string;
	    timeout_sec?: number;
	    writes?: string[];
	    method?: string;
	    url?: string;
	    body?: string;
	    tool?: string;
	    input?: number[];
	    check?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Action(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.kind = source["kind"];
	        this.path = source["path"];
	        this.to = source["to"];
	        this.content = source["content"];
	        this.edits = this.convertValues(source["edits"], Edit);
	        this.cells = this.convertValues(source["cells"], CellEdit);
	        this.argv = source["argv"];
	        this.dir = source["dir"];
	        this.timeout_sec = source["timeout_sec"];
	        this.writes = source["writes"];
	        this.method = source["method"];
	        this.url = source["url"];
	        this.body = source["body"];
	        this.tool = source["tool"];
	        this.input = source["input"];
	        this.check = source["check"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Decision {
	    verdict: string;
	    reason?: string;
	    decided_by: string;
	    // Go type: time
	    decided_at: any;
	    token?: string;
	
	    static createFrom(source: any = {}) {
	        return new Decision(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.verdict = source["verdict"];
	        this.reason = source["reason"];
	        this.decided_by = source["decided_by"];
	        this.decided_at = this.convertValues(source["decided_at"], null);
	        this.token = source["token"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class Proposal {
	    id: string;
	    agent_id: string;
	    summary: string;
	    rationale?: string;
	    workspace?: string;
	    actions: Action[];
	    status: string;
	    risk: string;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    expires_at: any;
	    decision?: Decision;
	    agent_runs?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Proposal(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.agent_id = source["agent_id"];
	        this.summary = source["summary"];
	        this.rationale = source["rationale"];
	        this.workspace = source["workspace"];
	        this.actions = this.convertValues(source["actions"], Action);
	        this.status = source["status"];
	        this.risk = source["risk"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.expires_at = this.convertValues(source["expires_at"], null);
	        this.decision = this.convertValues(source["decision"], Decision);
	        this.agent_runs = source["agent_runs"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace queue {
	
	export class Summary {
	    id: string;
	    agent_id: string;
	    summary: string;
	    risk: string;
	    status: string;
	    // Go type: time
	    created_at: any;
	    // Go type: time
	    expires_at: any;
	    // Go type: time
	    decided_at: any;
	    action_count: number;
	    kinds: string[];
	
	    static createFrom(source: any = {}) {
	        return new Summary(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.agent_id = source["agent_id"];
	        this.summary = source["summary"];
	        this.risk = source["risk"];
	        this.status = source["status"];
	        this.created_at = this.convertValues(source["created_at"], null);
	        this.expires_at = this.convertValues(source["expires_at"], null);
	        this.decided_at = this.convertValues(source["decided_at"], null);
	        this.action_count = source["action_count"];
	        this.kinds = source["kinds"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DecidedPage {
	    items: Summary[];
	    next: string;
	
	    static createFrom(source: any = {}) {
	        return new DecidedPage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.items = this.convertValues(source["items"], Summary);
	        this.next = source["next"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Page {
	    items: Summary[];
	    total: number;
	    offset: number;
	
	    static createFrom(source: any = {}) {
	        return new Page(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.items = this.convertValues(source["items"], Summary);
	        this.total = source["total"];
	        this.offset = source["offset"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace redact {
	
	export class ActionFinding {
	    action: number;
	    field: string;
	    line: number;
	    rule_id: string;
	    description: string;
	
	    static createFrom(source: any = {}) {
	        return new ActionFinding(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.action = source["action"];
	        this.field = source["field"];
	        this.line = source["line"];
	        this.rule_id = source["rule_id"];
	        this.description = source["description"];
	    }
	}
	export class ProposalScan {
	    findings: ActionFinding[];
	    truncated: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ProposalScan(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.findings = this.convertValues(source["findings"], ActionFinding);
	        this.truncated = source["truncated"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}

}

export namespace sheet {
	
	export class CellValue {
	    type?: string;
	    value: string;
	    display?: string;
	    formula?: string;
	    array?: boolean;
	    uncalculated?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new CellValue(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.type = source["type"];
	        this.value = source["value"];
	        this.display = source["display"];
	        this.formula = source["formula"];
	        this.array = source["array"];
	        this.uncalculated = source["uncalculated"];
	    }
	}
	export class CellChange {
	    cell: string;
	    row: number;
	    col: number;
	    change: string;
	    old?: CellValue;
	    new?: CellValue;
	    type_changed?: boolean;
	    formula_changed?: boolean;
	
	    static createFrom(source: any = {}) {
	        return new CellChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.cell = source["cell"];
	        this.row = source["row"];
	        this.col = source["col"];
	        this.change = source["change"];
	        this.old = this.convertValues(source["old"], CellValue);
	        this.new = this.convertValues(source["new"], CellValue);
	        this.type_changed = source["type_changed"];
	        this.formula_changed = source["formula_changed"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CellRef {
	    sheet: string;
	    cell: string;
	
	    static createFrom(source: any = {}) {
	        return new CellRef(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.sheet = source["sheet"];
	        this.cell = source["cell"];
	    }
	}
	
	export class Change {
	    old: string;
	    new: string;
	
	    static createFrom(source: any = {}) {
	        return new Change(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.old = source["old"];
	        this.new = source["new"];
	    }
	}
	export class Totals {
	    cells: number;
	    sheets: number;
	    rows_added: number;
	    rows_removed: number;
	    cols_added: number;
	    cols_removed: number;
	    sheets_added: number;
	    sheets_removed: number;
	    sheets_renamed: number;
	    visibility: number;
	    merges: number;
	    names: number;
	    dependents: number;
	
	    static createFrom(source: any = {}) {
	        return new Totals(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.cells = source["cells"];
	        this.sheets = source["sheets"];
	        this.rows_added = source["rows_added"];
	        this.rows_removed = source["rows_removed"];
	        this.cols_added = source["cols_added"];
	        this.cols_removed = source["cols_removed"];
	        this.sheets_added = source["sheets_added"];
	        this.sheets_removed = source["sheets_removed"];
	        this.sheets_renamed = source["sheets_renamed"];
	        this.visibility = source["visibility"];
	        this.merges = source["merges"];
	        this.names = source["names"];
	        this.dependents = source["dependents"];
	    }
	}
	export class Dependent {
	    sheet: string;
	    cell: string;
	    row: number;
	    col: number;
	    formula: string;
	    value: string;
	    depends_on: CellRef[];
	    depends_on_count: number;
	
	    static createFrom(source: any = {}) {
	        return new Dependent(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.sheet = source["sheet"];
	        this.cell = source["cell"];
	        this.row = source["row"];
	        this.col = source["col"];
	        this.formula = source["formula"];
	        this.value = source["value"];
	        this.depends_on = this.convertValues(source["depends_on"], CellRef);
	        this.depends_on_count = source["depends_on_count"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class NameChange {
	    name: string;
	    scope?: string;
	    change: string;
	    old?: string;
	    new?: string;
	
	    static createFrom(source: any = {}) {
	        return new NameChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.scope = source["scope"];
	        this.change = source["change"];
	        this.old = source["old"];
	        this.new = source["new"];
	    }
	}
	export class Span {
	    first: number;
	    last: number;
	    label: string;
	
	    static createFrom(source: any = {}) {
	        return new Span(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.first = source["first"];
	        this.last = source["last"];
	        this.label = source["label"];
	    }
	}
	export class SheetChange {
	    name: string;
	    old_name?: string;
	    status: string;
	    kind: string;
	    visibility?: Change;
	    cells: CellChange[];
	    cells_changed: number;
	    rows_added?: Span[];
	    rows_removed?: Span[];
	    cols_added?: Span[];
	    cols_removed?: Span[];
	    rows_added_count: number;
	    rows_removed_count: number;
	    cols_added_count: number;
	    cols_removed_count: number;
	    merges_added?: string[];
	    merges_removed?: string[];
	    rows: number;
	    cols: number;
	    warnings?: string[];
	    truncated: boolean;
	
	    static createFrom(source: any = {}) {
	        return new SheetChange(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.old_name = source["old_name"];
	        this.status = source["status"];
	        this.kind = source["kind"];
	        this.visibility = this.convertValues(source["visibility"], Change);
	        this.cells = this.convertValues(source["cells"], CellChange);
	        this.cells_changed = source["cells_changed"];
	        this.rows_added = this.convertValues(source["rows_added"], Span);
	        this.rows_removed = this.convertValues(source["rows_removed"], Span);
	        this.cols_added = this.convertValues(source["cols_added"], Span);
	        this.cols_removed = this.convertValues(source["cols_removed"], Span);
	        this.rows_added_count = source["rows_added_count"];
	        this.rows_removed_count = source["rows_removed_count"];
	        this.cols_added_count = source["cols_added_count"];
	        this.cols_removed_count = source["cols_removed_count"];
	        this.merges_added = source["merges_added"];
	        this.merges_removed = source["merges_removed"];
	        this.rows = source["rows"];
	        this.cols = source["cols"];
	        this.warnings = source["warnings"];
	        this.truncated = source["truncated"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ChangeSet {
	    format: string;
	    summary: string;
	    sheets: SheetChange[];
	    names?: NameChange[];
	    dependents?: Dependent[];
	    notes?: string[];
	    totals: Totals;
	    truncated: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ChangeSet(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.format = source["format"];
	        this.summary = source["summary"];
	        this.sheets = this.convertValues(source["sheets"], SheetChange);
	        this.names = this.convertValues(source["names"], NameChange);
	        this.dependents = this.convertValues(source["dependents"], Dependent);
	        this.notes = source["notes"];
	        this.totals = this.convertValues(source["totals"], Totals);
	        this.truncated = source["truncated"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class GridCell {
	    row: number;
	    col: number;
	    cell: string;
	    value?: CellValue;
	    change?: string;
	    old?: CellValue;
	
	    static createFrom(source: any = {}) {
	        return new GridCell(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.row = source["row"];
	        this.col = source["col"];
	        this.cell = source["cell"];
	        this.value = this.convertValues(source["value"], CellValue);
	        this.change = source["change"];
	        this.old = this.convertValues(source["old"], CellValue);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Grid {
	    sheet: string;
	    first_row: number;
	    rows: number;
	    first_col: number;
	    cols: number;
	    cells: GridCell[];
	    dimension?: string;
	    end: boolean;
	
	    static createFrom(source: any = {}) {
	        return new Grid(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.sheet = source["sheet"];
	        this.first_row = source["first_row"];
	        this.rows = source["rows"];
	        this.first_col = source["first_col"];
	        this.cols = source["cols"];
	        this.cells = this.convertValues(source["cells"], GridCell);
	        this.dimension = source["dimension"];
	        this.end = source["end"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	
	
	
	export class WindowQuery {
	    sheet: string;
	    old_sheet?: string;
	    first_row: number;
	    rows: number;
	    first_col: number;
	    cols: number;
	
	    static createFrom(source: any = {}) {
	        return new WindowQuery(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.sheet = source["sheet"];
	        this.old_sheet = source["old_sheet"];
	        this.first_row = source["first_row"];
	        this.rows = source["rows"];
	        this.first_col = source["first_col"];
	        this.cols = source["cols"];
	    }
	}

}

export namespace store {
	
	export class NamedCount {
	    name: string;
	    count: number;
	
	    static createFrom(source: any = {}) {
	        return new NamedCount(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.count = source["count"];
	    }
	}

}

