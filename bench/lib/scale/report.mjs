// The scale run's targets, its Markdown report and its terminal summary.

const KIB = 1024;
const kib = (bytes) => (Number.isFinite(bytes) ? (bytes / KIB).toFixed(2) : '—');
const ms = (value) => (value === undefined || value === null || !Number.isFinite(value) ? '—' : String(value));
const x = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '—');
const pct = (share) => (Number.isFinite(share) ? `${(share * 100).toFixed(0)} %` : '—');
const n = (value) => (Number.isFinite(value) ? value.toLocaleString('en-US') : '—');

/** Each target with its measured value and verdict (`not measured` when its part did not run or failed). */
export function targetsOf(results) {
  const c = results.connections;
  const s = results.storm;
  const verdict = (ok) => (ok === undefined ? 'not measured' : ok ? 'met' : 'MISSED');
  const full = c?.app && c.app.sockets === c.app.target;
  const at = c?.app ? ` (at ${n(c.app.sockets)} sockets${full ? '' : `, not the ${n(c.app.target)} asked for`})` : '';
  const rss = c?.app?.rssRatioToBare;
  const redisMem = c?.app?.redis?.memoryPerSocketBytes;
  const eld = c?.app?.idle?.worstP99Delay;
  const back = s?.allBack ? s.backMs : undefined;
  const exact = s ? s.falseOffline === 0 && (s.after.byStatus.online ?? 0) === s.sockets && s.registry.exactlyOne === s.sockets : undefined;
  return [
    {
      name: `app RSS per socket vs bare Socket.IO${at}`,
      target: '<= 1.1x',
      value: rss,
      valueText: x(rss),
      verdict: verdict(rss === undefined ? undefined : rss <= 1.1),
    },
    {
      name: `Redis memory per socket${at}`,
      target: '< 1024 B',
      value: redisMem,
      valueText: redisMem === undefined ? '—' : `${redisMem} B`,
      verdict: verdict(redisMem === undefined ? undefined : redisMem < 1024),
    },
    {
      name: `idle event-loop delay p99, worst server${at}`,
      target: '< 20 ms',
      value: eld,
      valueText: eld === undefined ? '—' : `${eld} ms`,
      verdict: verdict(eld === undefined ? undefined : eld < 20),
    },
    {
      name: `reconnect storm: all ${s ? n(s.sockets) : ''} back on the other node`,
      target: '< 30 s',
      value: back,
      valueText: back === undefined ? (s ? `${n(s.moved)} of ${n(s.sockets)} back` : '—') : `${(back / 1000).toFixed(2)} s`,
      verdict: verdict(s ? back !== undefined && back < 30_000 : undefined),
    },
    {
      name: 'reconnect storm: no false offline, every user online exactly once afterwards',
      target: '0 offline updates, all online, one socket each',
      value: s?.falseOffline,
      valueText: s
        ? `${s.falseOffline} offline updates; ${n(s.after.byStatus.online ?? 0)} online; ${n(s.registry.exactlyOne)} with one socket`
        : '—',
      verdict: verdict(exact),
    },
  ];
}

function probeRows(single, scale) {
  const row = (label, pick) => {
    const a = pick(single);
    const b = pick(scale);
    return `| ${label} | ${ms(a?.p50)} | ${ms(a?.p99)} | ${ms(b?.p50)} | ${ms(b?.p99)} | ${a?.p99 && b?.p99 ? x(b.p99 / a.p99) : '—'} |`;
  };
  return [
    '| request (one at a time) | usual p50 (ms) | usual p99 (ms) | at scale p50 (ms) | at scale p99 (ms) | p99 at scale / usual |',
    '|---|---:|---:|---:|---:|---:|',
    row(`\`presence:query\` of ${single?.presenceQuery?.idsPerQuery ?? 20} connected users`, (p) => p?.presenceQuery),
    row('`chat:send`: the ack', (p) => p?.chatSendAck),
    row('`chat:send`: the push to the other member (other server at scale)', (p) => p?.chatPush),
  ];
}

export function markdownReport(results) {
  const { meta, options } = results;
  const c = results.connections;
  const s = results.storm;
  const lines = [
    `# Scale run of ${meta.date} (${meta.mode})`,
    '',
    `\`${meta.command}\`, ${meta.durationS} s. Machine: ${meta.cpuModel}, ${meta.cores} cores, ${meta.memoryGiB} GiB, Node ${meta.node}, Linux ${meta.kernel}, ${n(meta.openFileLimit)} open files per process; commit ${meta.commit}; the app built from ${meta.appFrom ?? 'bench/.app-dist as it was (--no-build)'}${meta.srcModified ? ', with uncommitted changes in src/' : ''}${meta.srcHash ? ` (src ${meta.srcHash})` : ''}. Load average at the start: ${meta.loadAverageAtStart}. Nothing is pinned: servers, generators and redis-server share the cores (and the machine with whatever else runs on it).`,
    '',
    '| target | figure | measured | verdict |',
    '|---|---|---:|---|',
    ...results.targets.map((t) => `| ${t.name} | ${t.target} | ${t.valueText} | ${t.verdict} |`),
    '',
  ];
  if (results.problems?.length > 0) lines.push('Problems:', '', ...results.problems.map((p) => `- ${p.split('\n')[0]}`), '');
  if (c?.app) {
    const a = c.app;
    lines.push(
      `## Connections at scale`,
      '',
      `${a.servers} app servers on one redis-server, ${n(a.sockets)} idle authenticated sockets of distinct users (${n(options.perServer)} asked per server), ramped at ${options.concurrency} handshakes in flight per generator in ${(a.ramp.ms / 1000).toFixed(1)} s: ${n(a.ramp.handshakesPerSecond)} handshakes/s, handshake p50 ${a.ramp.latency.p50} ms, p99 ${a.ramp.latency.p99} ms; connects turned away by a full accept queue: ${n(a.ramp.listenQueue?.overflows)}. Bare Socket.IO (a JWT \`io.use\` middleware, the same sharded Redis adapter) at ${n(c.bare.sockets)} sockets in one process of the same run.`,
      '',
      '| process | sockets | RSS per socket (KiB) | JS heap per socket (KiB) | RSS at rest -> loaded (MiB) | server CPU per handshake (µs) | idle loop delay p99 (ms) | idle loop delay max (ms) | idle CPU (%) |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...a.perProcess.map((p, i) => {
        const idle = a.idle?.perProcess[i];
        return `| app ${p.node} | ${n(p.sockets)} | ${kib(p.rssPerSocketBytes)} | ${kib(p.heapPerSocketBytes)} | ${(p.baseRss / 2 ** 20).toFixed(0)} -> ${(p.rss / 2 ** 20).toFixed(0)} | ${a.ramp.serverCpuPerHandshakeUs[i]} | ${ms(idle?.eld.p99Delay)} | ${idle ? (idle.eld.max - idle.eld.resolution).toFixed(1) : '—'} | ${idle ? (idle.cpuLoad * 100).toFixed(1) : '—'} |`;
      }),
      `| app, mean of the ${a.servers} | | ${kib(a.rssPerSocketBytes)} | ${kib(a.heapPerSocketBytes)} | | | | | |`,
      `| bare Socket.IO | ${n(c.bare.sockets)} | ${kib(c.bare.memory.rssPerSocketBytes)} | ${kib(c.bare.memory.heapPerSocketBytes)} | ${(c.bare.memory.baseRss / 2 ** 20).toFixed(0)} -> ${(c.bare.memory.rss / 2 ** 20).toFixed(0)} | | | | |`,
      `| **app / bare** | | **${x(a.rssRatioToBare)}** | ${x(a.heapRatioToBare)} | | | | | |`,
      '',
      `Event-loop delay: \`monitorEventLoopDelay\` with a 10 ms timer over ${(a.idle.ms / 1000).toFixed(0)} s of idle (Engine.IO heartbeats every 25 s, presence heartbeats every 5 s), in every server at once; the delay is the time between two runs of the timer less its 10 ms.`,
      '',
      `Redis: used_memory ${(a.redis.before.usedMemory / 2 ** 20).toFixed(1)} MiB -> ${(a.redis.after.usedMemory / 2 ** 20).toFixed(1)} MiB, **${a.redis.memoryPerSocketBytes} B per socket** (dataset ${a.redis.datasetPerSocketBytes} B); keys ${n(a.redis.before.keys)} -> ${n(a.redis.after.keys)}; sharded Pub/Sub channels ${n(a.redis.before.shardChannels)} -> ${n(a.redis.after.shardChannels)}; clients ${a.redis.before.clients} -> ${a.redis.after.clients}. redis-server CPU over the ramp and 2 s after it: ${n(a.redis.cpuMsRampSettled)} ms, **${a.redis.cpuPerConnectionUs} µs per connection** (${(a.redis.cpuLoadWhileRamping * 100).toFixed(0)} % of a core while ramping); while idle ${(a.idle.redisCpuLoad * 100).toFixed(1)} % of a core.`,
      '',
      `Sockets the servers closed after the ramp: ${a.lostWhileIdle}; still open before the probes: ${n(a.stillOpen)}.`,
      '',
      `Other processes on the machine (not this run's) used ${pct(a.ramp.otherProcessesLoad)} of it during the ramp, ${pct(a.idle.otherProcessesLoad)} while idle, ${pct(a.probes.otherProcessesLoad)} during the probes at scale and ${pct(c.single.probes.otherProcessesLoad)} during the usual ones.`,
      '',
      `Probes, one request at a time, ${options.samples} of each after 100 unrecorded: at scale the sender is on ${a.perProcess[0].node} and the receiver on ${a.perProcess.at(-1).node}; "usual" is a fresh app server alone on a Redis of its own with ${n(c.single.users)} users, sender and receiver on it.`,
      '',
      ...probeRows(c.single.probes, a.probes),
      '',
    );
    const notable = (a.logs ?? []).flatMap((list, i) =>
      list
        .filter((entry) => /^(warn|error)/.test(entry.message))
        .map((entry) => `| ${a.perProcess[i].node} | ${entry.message} | ${n(entry.count)} |`),
    );
    lines.push(
      notable.length > 0
        ? `Warnings and errors the app servers logged: \n\n| node | message | lines |\n|---|---|---:|\n${notable.join('\n')}\n`
        : 'The app servers logged no warning or error.\n',
    );
  }
  if (s) {
    lines.push(
      '## Reconnect storm',
      '',
      `${n(s.sockets)} sockets of ${n(s.sockets)} users on node A, node B beside it (one redis-server, ${graces(s)}); ${s.watchers} watcher sockets on B subscribed to all ${n(s.watchedUsers)} users (1,000 each). SIGTERM to A at t = 0; each client, on \`server:shutdown { reconnectAfterMs }\`, waits that long, drops its connection and connects to B (socket.io-client's behaviour; a refused connect is retried with its backoff).`,
      '',
      '| figure | value |',
      '|---|---:|',
      `| told to move (\`server:shutdown\` received) | ${n(s.told)}, the last at +${ms(s.lastToldMs)} ms |`,
      `| first back on B | +${ms(s.firstBackMs)} ms |`,
      `| **all back on B** | ${s.allBack ? `**+${(s.backMs / 1000).toFixed(2)} s**` : `${n(s.moved)} of ${n(s.sockets)}`} |`,
      `| handshakes on B during the storm | ${n(s.handshakesPerSecond)}/s; p50 ${s.handshake.p50} ms, p99 **${s.handshake.p99} ms**, max ${s.handshake.max} ms |`,
      `| time each user had no socket (old connection dropped -> \`40\` from B) | p50 ${s.away.p50} ms, p99 ${s.away.p99} ms, max ${s.away.max} ms; **${n(s.awayOverGrace)} users longer than the 5 s offline grace** |`,
      `| connect attempts, failed | ${n(s.attempts)}, ${n(s.failedAttempts)}${s.failedAttempts ? ` ${JSON.stringify(s.failures)}` : ''} |`,
      `| dropped by A before they moved | ${n(s.lostBeforeMove)} |`,
      `| A exited | +${ms(s.aExitMs)} ms |`,
      `| redis-server CPU until all back / until A exited | ${n(s.cpuMs.redisUntilBack)} ms (${(s.redisCpuLoadUntilBack * 100).toFixed(0)} % of a core) / ${n(s.cpuMs.redisUntilAExit)} ms (${s.redisCpuPerReconnectUs} µs per reconnect) |`,
      `| node B CPU until all back, node A CPU until it exited | ${n(s.cpuMs.bUntilBack)} ms, ${n(s.cpuMs.a)} ms |`,
      `| presence:update seen by the watchers during the storm | ${n(s.updatesDuringStorm.total)} ${JSON.stringify(s.updatesDuringStorm.byStatus)} |`,
      `| connects B's full accept queue turned away (kernel ListenOverflows until all back; the SYN is sent again after 1 s, 2 s, 4 s...) | ${n(s.listenQueue?.overflows)} |`,
      `| other processes on the machine (not this run's) until all back | ${pct(s.otherProcessesLoad)} of it |`,
      `| **offline updates (false offline)** | **${n(s.falseOffline)}** |`,
      `| presence:query of every user, after the offline grace | ${JSON.stringify(s.after.byStatus)} |`,
      `| registry: users with exactly one socket / none / more | ${n(s.registry.exactlyOne)} / ${n(s.registry.none)} / ${n(s.registry.several)}; by node ${JSON.stringify(s.registry.socketsByNode)} |`,
      `| registry: socket counters (all users, watchers included), nodes with entries | ${n(s.registry.socketCounterTotal)}, ${JSON.stringify(s.registry.nodeKeys)} |`,
      '',
    );
    if (s.logs) {
      lines.push('What the two nodes logged from their start, counted by message (socket ids and numbers masked):', '');
      lines.push('| node | message | lines |', '|---|---|---:|');
      for (const [node, list] of Object.entries(s.logs))
        for (const entry of list) lines.push(`| ${node.toUpperCase()} | ${entry.message.replace(/\|/g, '\\|')} | ${n(entry.count)} |`);
      lines.push('');
    } else if (s.aLog.length > 0) lines.push("Node A's log during the drain:", '', '```', ...s.aLog, '```', '');
  }
  return `${lines.join('\n')}\n`;
}

export function terminalSummary(results) {
  const lines = ['Targets:'];
  for (const t of results.targets) lines.push(`  ${t.verdict.padEnd(12)} ${t.name}: ${t.valueText} (target ${t.target})`);
  const a = results.connections?.app;
  if (a) {
    lines.push(
      `Connections: ${n(a.sockets)} sockets on ${a.servers} app servers, ${n(a.ramp.handshakesPerSecond)} handshakes/s; RSS ${kib(a.rssPerSocketBytes)} KiB/socket (bare ${kib(results.connections.bare.memory.rssPerSocketBytes)}), heap ${kib(a.heapPerSocketBytes)} KiB/socket; Redis ${a.redis.memoryPerSocketBytes} B and ${a.redis.cpuPerConnectionUs} µs CPU per socket; idle loop delay p99 ${a.idle.perProcess.map((p) => p.eld.p99Delay).join(' / ')} ms`,
    );
    const single = results.connections.single.probes;
    lines.push(
      `Probes p99, usual -> at scale: presence:query ${single.presenceQuery.p99} -> ${a.probes.presenceQuery.p99} ms, chat:send push ${single.chatPush.p99} -> ${a.probes.chatPush.p99} ms`,
    );
  }
  const s = results.storm;
  if (s)
    lines.push(
      `Storm: ${n(s.moved)}/${n(s.sockets)} back in ${ms(s.backMs)} ms, handshake p99 ${s.handshake.p99} ms, Redis CPU ${n(s.cpuMs.redisUntilBack)} ms until back; ${s.falseOffline} offline updates; afterwards ${JSON.stringify(s.after.byStatus)}`,
    );
  return lines.join('\n');
}

/** The storm's two grace periods, as the report names them (a report of before they were recorded ran with the defaults). */
function graces(s) {
  const shutdown = s.shutdownGraceMs ?? 10_000;
  const offline = s.offlineGraceMs ?? 5_000;
  const defaults = shutdown === 10_000 && offline === 5_000;
  return `WS_SHUTDOWN_GRACE_MS ${shutdown}, PRESENCE_OFFLINE_GRACE_MS ${offline}${defaults ? ": the app's defaults" : ''}`;
}
