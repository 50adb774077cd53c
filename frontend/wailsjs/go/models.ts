export namespace app {
	
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
	
	export class ProposalView {
	    proposal?: proposal.Proposal;
	    risk_reasons: string[];
	
	    static createFrom(source: any = {}) {
	        return new ProposalView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.proposal = this.convertValues(source["proposal"], proposal.Proposal);
	        this.risk_reasons = source["risk_reasons"];
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

