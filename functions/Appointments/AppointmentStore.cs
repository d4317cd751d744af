using System.Globalization;
using System.Text.Json;
using Azure;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Identity;
using Azure.Data.Tables;
using Parley.Functions.Storage;

namespace Parley.Functions.Appointments;

/// <summary>
/// Appointments live in the account's partition of the Cases table, next to their case, so booking, rescheduling and
/// cancelling are each one entity-group transaction together with the case:
/// <list type="bullet">
/// <item><c>appt|{id}</c>: the appointment; <c>caseappt|{case}|{id}</c>: the case's list of appointments;</item>
/// <item><c>cal|{operator}|{start}|{id}</c> and <c>time|{start}|{id}</c>: calendar entries, read by range queries;</item>
/// <item><c>slot|{operator}|{hour}</c>: the intervals an operator has booked within that UTC hour.</item>
/// </list>
/// The meeting link's token is registered in <see cref="Meetings.MeetingLinks"/> before the transaction (a registration
/// without an appointment resolves to nothing).
/// <b>No double booking</b>: a booking rewrites every slot row its hours touch, under If-Match (or as an insert when the
/// row does not exist yet), in the same transaction as the appointment. Two bookings that overlap touch a common
/// slot row, so only one transaction can commit; the other re-reads, sees the overlap and is refused.
/// </summary>
public sealed class AppointmentStore(CaseStore cases, MeetingSecrets secrets, Meetings.MeetingLinks links, TimeProvider time, Webhooks.WebhookPublisher webhooks,
    Hosting.PublicUrl publicUrl)
{
    public static readonly TimeSpan MaxLength = TimeSpan.FromHours(12);

    /// <summary>How far ahead an appointment may start: plans beyond that are typos (the year 9999), not appointments.</summary>
    public static readonly TimeSpan MaxLeadTime = TimeSpan.FromDays(2 * 365);
    private const string AppointmentPrefix = "appt|";
    private const string CaseAppointmentPrefix = "caseappt|";
    private const string CalendarPrefix = "cal|";
    private const string TimePrefix = "time|";
    private const string SlotPrefix = "slot|";

    private TableClient Table => cases.Table;

    /// <summary>Raised after every committed booking, move or cancellation, with the account and the operators whose time changed.</summary>
    public event Action<string, IReadOnlyList<string>>? Written;

    private void Wrote(string accountId, IEnumerable<string> operatorIds) => Written?.Invoke(accountId, operatorIds.Distinct().ToList());

    public async Task<Appointment?> GetAsync(Tenant tenant, string id, CancellationToken ct)
    {
        if (!Accounts.AccountStore.IsId(id))
        {
            return null;
        }
        var row = await Table.GetEntityOrNullAsync(tenant.AccountId, AppointmentPrefix + id, cancellationToken: ct);
        return row is null ? null : ToAppointment(row);
    }

    public async Task<IReadOnlyList<Appointment>> ListForCaseAsync(Tenant tenant, string caseId, CancellationToken ct)
    {
        var prefix = CaseAppointmentPrefix + caseId + "|";
        var ids = new List<string>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClientExtensions.StartsWithFilter(tenant.AccountId, prefix), select: ["RowKey"], cancellationToken: ct))
        {
            ids.Add(e.RowKey[prefix.Length..]);
        }
        var found = await Task.WhenAll(ids.Select(id => GetAsync(tenant, id, ct)));
        return found.OfType<Appointment>().OrderBy(a => a.Start).ToList();
    }

    /// <summary>Calendar entries starting before <paramref name="to"/> and ending after <paramref name="from"/>: one range query.</summary>
    public async Task<IReadOnlyList<CalendarEntry>> CalendarAsync(Tenant tenant, DateTimeOffset from, DateTimeOffset to, string? operatorId, CancellationToken ct)
    {
        var prefix = operatorId is null ? TimePrefix : CalendarPrefix + operatorId + "|";
        var lower = prefix + Stamp(from - MaxLength);
        var upper = prefix + Stamp(to);
        var entries = new List<CalendarEntry>();
        await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {tenant.AccountId} and RowKey ge {lower} and RowKey lt {upper}"), cancellationToken: ct))
        {
            var entry = new CalendarEntry(e.GetString("AppointmentId")!, e.GetString("CaseId")!, e.GetString("CaseName") ?? "", e.GetInt32("CaseNumber") ?? 0,
                e.GetString("Type")!, e.GetDateTimeOffset("Start")!.Value, e.GetDateTimeOffset("End")!.Value, CaseStore.SplitIds(e.GetString("OperatorIds")));
            if (entry.End > from)
            {
                entries.Add(entry);
            }
        }
        return entries;
    }

    /// <summary>
    /// Books an appointment for an existing case. Throws <see cref="OverlapException"/> when an operator is busy.
    /// <paramref name="known"/> is the case as the caller just read it: used for the first attempt, re-read on retries.
    /// </summary>
    public async Task<(Case Case, Appointment Appointment)> BookAsync(Tenant tenant, Case known, Func<Case, Appointment> build, Func<Case, Case> updateCase, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var c = attempt == 0 ? known : await cases.GetAsync(tenant, known.Id, ct) ?? throw new KeyNotFoundException();
            var appointment = build(c);
            await links.RegisterAsync(appointment.JoinToken, tenant.AccountId, appointment.Id, ct);
            var after = updateCase(c) with { ScheduledAppointments = With(c.ScheduledAppointments, appointment), UpdatedAt = time.GetUtcNow() };
            var slots = await ReadSlotsAsync(tenant, appointment.OperatorIds, appointment.Start, appointment.End, ct);
            EnsureFree(slots, appointment, ignore: null);
            var actions = new List<TableTransactionAction>(cases.SaveActions(c, after));
            var caseActionCount = actions.Count;
            actions.AddRange(AddActions(appointment, after));
            actions.AddRange(SlotActions(slots, remove: null, add: appointment));
            try
            {
                await Table.SubmitAtomicallyAsync(actions, ct);
                Wrote(tenant.AccountId, appointment.OperatorIds);
                await PublishAsync(tenant, Webhooks.WebhookEventTypes.AppointmentScheduled, appointment, ct);
                return (after with { ETag = actions[0].Entity.ETag }, appointment with { ETag = actions[caseActionCount].Entity.ETag });
            }
            catch (TableTransactionFailedException) when (attempt < 10)
            {
                // The case or a slot changed meanwhile: read again and decide again.
            }
        }
    }

    /// <summary>Creates a case together with its first appointment, atomically.</summary>
    public async Task<(Case Case, Appointment Appointment)> CreateCaseAndBookAsync(Tenant tenant, Case draft, Func<Case, Appointment> build, CancellationToken ct, SlotGuard? guard = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = build(draft);
            await links.RegisterAsync(probe.JoinToken, tenant.AccountId, probe.Id, ct);
            var guarded = await GuardAsync(tenant, guard, ct);
            var pad = guard?.Padding ?? TimeSpan.Zero;
            var slots = await ReadSlotsAsync(tenant, probe.OperatorIds, probe.Start - pad, probe.End + pad, ct);
            EnsureFree(slots, probe, ignore: null, pad);
            Appointment? booked = null;
            try
            {
                var created = await cases.CreateAsync(tenant, draft with { ScheduledAppointments = With(draft.ScheduledAppointments, probe) }, c =>
                {
                    booked = build(c) with { Id = probe.Id, JoinToken = probe.JoinToken, Pin = probe.Pin };
                    var slotActions = SlotActions(slots, remove: null, add: booked).ToList();
                    return [.. AddActions(booked, c), .. slotActions, .. GuardActions(tenant, slots, slotActions, booked, pad, guarded)];
                }, ct);
                Wrote(tenant.AccountId, booked!.OperatorIds);
                await PublishAsync(tenant, Webhooks.WebhookEventTypes.AppointmentScheduled, booked, ct);
                return (created, booked!);
            }
            catch (TableTransactionFailedException) when (attempt < 10)
            {
            }
        }
    }

    /// <summary>
    /// Moves and/or changes an appointment; the old slot claims are released and the new ones taken in one transaction.
    /// <paramref name="known"/> is the appointment and case as the caller just read them (first attempt only).
    /// </summary>
    public async Task<(Case Case, Appointment Appointment)> RescheduleAsync(Tenant tenant, (Appointment Appointment, Case Case) known, Func<Appointment, Appointment> change, CancellationToken ct,
        SlotGuard? guard = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (before, c) = attempt == 0 ? known : await ReadAsync(tenant, known.Appointment.Id, ct);
            if (before.Status == AppointmentStatus.Cancelled)
            {
                throw new AppointmentCancelledException();
            }
            var after = change(before);
            await links.RegisterAsync(after.JoinToken, tenant.AccountId, after.Id, ct); // also gives links of older appointments their lookup row
            var caseAfter = c with { ScheduledAppointments = With(c.ScheduledAppointments, after), UpdatedAt = time.GetUtcNow() };
            var operators = before.OperatorIds.Union(after.OperatorIds).ToList();
            var guarded = await GuardAsync(tenant, guard, ct);
            var pad = guard?.Padding ?? TimeSpan.Zero;
            var slots = await ReadSlotsAsync(tenant, operators, Min(before.Start, after.Start - pad), Max(before.End, after.End + pad), ct);
            EnsureFree(slots, after, ignore: before.Id, pad);
            var actions = new List<TableTransactionAction>(cases.SaveActions(c, caseAfter));
            var apptIndex = actions.Count;
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(after), before.ETag));
            actions.AddRange(CalendarActions(before, after, caseAfter));
            var slotActions = SlotActions(slots, remove: before, add: after).ToList();
            actions.AddRange(slotActions);
            actions.AddRange(GuardActions(tenant, slots, slotActions, after, pad, guarded));
            try
            {
                await Table.SubmitAtomicallyAsync(actions, ct);
                Wrote(tenant.AccountId, operators);
                if (before.Start != after.Start || before.End != after.End || !before.OperatorIds.SequenceEqual(after.OperatorIds))
                {
                    await PublishAsync(tenant, Webhooks.WebhookEventTypes.AppointmentRescheduled, after, ct);
                }
                return (caseAfter with { ETag = actions[0].Entity.ETag }, after with { ETag = actions[apptIndex].Entity.ETag });
            }
            catch (TableTransactionFailedException) when (attempt < 10)
            {
            }
        }
    }

    /// <summary>
    /// Cancels: frees the operators' time and removes the calendar entries; the appointment and its history stay.
    /// <paramref name="known"/> is the appointment and case as the caller just read them (first attempt only).
    /// </summary>
    public async Task<Appointment> CancelAsync(Tenant tenant, (Appointment Appointment, Case Case) known, Func<Appointment, Appointment> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (before, c) = attempt == 0 ? known : await ReadAsync(tenant, known.Appointment.Id, ct);
            if (before.Status == AppointmentStatus.Cancelled)
            {
                return before;
            }
            var after = change(before) with { Status = AppointmentStatus.Cancelled };
            var scheduled = new Dictionary<string, DateTimeOffset>(c.ScheduledAppointments);
            scheduled.Remove(before.Id);
            var caseAfter = c with { ScheduledAppointments = scheduled, UpdatedAt = time.GetUtcNow() };
            var slots = await ReadSlotsAsync(tenant, before.OperatorIds, before.Start, before.End, ct);
            var actions = new List<TableTransactionAction>(cases.SaveActions(c, caseAfter));
            var apptIndex = actions.Count;
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(after), before.ETag));
            actions.AddRange(CalendarActions(before, null, caseAfter));
            actions.AddRange(SlotActions(slots, remove: before, add: null));
            try
            {
                await Table.SubmitAtomicallyAsync(actions, ct);
                Wrote(tenant.AccountId, before.OperatorIds);
                await PublishAsync(tenant, Webhooks.WebhookEventTypes.AppointmentCancelled, after, ct);
                return after with { ETag = actions[apptIndex].Entity.ETag };
            }
            catch (TableTransactionFailedException) when (attempt < 10)
            {
            }
        }
    }

    /// <summary>
    /// Deletes a case's appointments (rows, case index, calendar entries) in transactions of at most 100 rows. Used when
    /// the case is deleted; its appointments are all in the past or cancelled by then, so no future slot is held.
    /// </summary>
    public async Task DeleteForCaseAsync(Tenant tenant, string caseId, CancellationToken ct)
    {
        var actions = new List<TableTransactionAction>();
        foreach (var a in await ListForCaseAsync(tenant, caseId, ct))
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(tenant.AccountId, AppointmentPrefix + a.Id), ETag.All));
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(tenant.AccountId, CaseAppointmentPrefix + caseId + "|" + a.Id), ETag.All));
            if (a.Status == AppointmentStatus.Scheduled)
            {
                actions.AddRange(CalendarKeys(a).Select(key => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(tenant.AccountId, key), ETag.All)));
            }
        }
        foreach (var chunk in actions.Chunk(100))
        {
            await Table.SubmitAtomicallyAsync(chunk, ct);
        }
    }

    private async Task<(Appointment, Case)> ReadAsync(Tenant tenant, string id, CancellationToken ct)
    {
        var a = await GetAsync(tenant, id, ct) ?? throw new KeyNotFoundException();
        return (a, await cases.GetAsync(tenant, a.CaseId, ct) ?? throw new KeyNotFoundException());
    }

    /// <summary>Records a change that touches neither time nor operators (e.g. invitations resent).</summary>
    public async Task<Appointment> UpdateAsync(Tenant tenant, string id, Func<Appointment, Appointment> change, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var before = await GetAsync(tenant, id, ct) ?? throw new KeyNotFoundException();
            var after = change(before);
            await links.RegisterAsync(after.JoinToken, tenant.AccountId, after.Id, ct);
            var entity = ToEntity(after);
            try
            {
                entity.ETag = (await Table.UpdateEntityAsync(entity, before.ETag, TableUpdateMode.Replace, ct)).Headers.ETag ?? default;
                return after with { ETag = entity.ETag };
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < 10)
            {
            }
        }
    }

    /// <summary>An appointment as events carry it: no PIN, no invitation addresses.</summary>
    public Webhooks.AppointmentEventData EventData(Appointment a) => new(a.Id, a.CaseId, Wire.Name(a.Type), a.Start, a.End, a.TimeZone, a.OperatorIds,
        Wire.Name(a.Status), a.PinProtected, JoinUrl(publicUrl.Origin, a), a.Status == AppointmentStatus.Cancelled ? a.History.LastOrDefault()?.Reason : null);

    private Task PublishAsync(Tenant tenant, string type, Appointment a, CancellationToken ct) => webhooks.PublishAsync(tenant.AccountId, type, EventData(a), ct);

    public string JoinUrl(string origin, Appointment a) => $"{origin}/meet#{a.JoinToken}";

    // ---- slots ----

    private sealed record Interval(string A, long S, long E);

    private sealed record Slot(string RowKey, ETag ETag, List<Interval> Intervals);

    private async Task<Dictionary<string, Slot>> ReadSlotsAsync(Tenant tenant, IEnumerable<string> operatorIds, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var slots = new Dictionary<string, Slot>(StringComparer.Ordinal);
        foreach (var op in operatorIds.Distinct())
        {
            var lower = SlotKey(op, HourOf(start));
            var upper = SlotKey(op, HourOf(end - TimeSpan.FromTicks(1)));
            await foreach (var e in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {tenant.AccountId} and RowKey ge {lower} and RowKey le {upper}"), cancellationToken: ct))
            {
                slots[e.RowKey] = new Slot(e.RowKey, e.ETag, JsonSerializer.Deserialize<List<Interval>>(e.GetString("Intervals") ?? "[]")!);
            }
        }
        return slots;
    }

    private static void EnsureFree(Dictionary<string, Slot> slots, Appointment a, string? ignore, TimeSpan pad = default)
    {
        var (start, end) = (a.Start - pad, a.End + pad);
        foreach (var op in a.OperatorIds)
        {
            foreach (var hour in Hours(start, end))
            {
                if (slots.TryGetValue(SlotKey(op, hour), out var slot)
                    && slot.Intervals.FirstOrDefault(i => i.A != ignore && i.S < end.UtcTicks && start.UtcTicks < i.E) is { } clash)
                {
                    throw new OverlapException(op, new DateTimeOffset(clash.S, TimeSpan.Zero), new DateTimeOffset(clash.E, TimeSpan.Zero));
                }
            }
        }
    }

    /// <summary>Rewrites each touched slot row under its ETag (insert if new, delete if emptied).</summary>
    private static IEnumerable<TableTransactionAction> SlotActions(Dictionary<string, Slot> slots, Appointment? remove, Appointment? add)
    {
        var touched = new Dictionary<string, List<Interval>>(StringComparer.Ordinal);
        List<Interval> For(string key) => touched.TryGetValue(key, out var list) ? list
            : touched[key] = slots.TryGetValue(key, out var s) ? [.. s.Intervals] : [];
        if (remove is not null)
        {
            foreach (var op in remove.OperatorIds)
            {
                foreach (var hour in Hours(remove.Start, remove.End))
                {
                    For(SlotKey(op, hour)).RemoveAll(i => i.A == remove.Id);
                }
            }
        }
        if (add is not null)
        {
            foreach (var op in add.OperatorIds)
            {
                foreach (var hour in Hours(add.Start, add.End))
                {
                    For(SlotKey(op, hour)).Add(new Interval(add.Id, add.Start.UtcTicks, add.End.UtcTicks));
                }
            }
        }
        var account = (remove ?? add)!.AccountId;
        foreach (var (key, intervals) in touched)
        {
            var exists = slots.TryGetValue(key, out var slot);
            var entity = new TableEntity(account, key) { { "Intervals", JsonSerializer.Serialize(intervals) } };
            if (!exists)
            {
                if (intervals.Count > 0)
                {
                    yield return new TableTransactionAction(TableTransactionActionType.Add, entity);
                }
            }
            else if (intervals.Count == 0)
            {
                yield return new TableTransactionAction(TableTransactionActionType.Delete, entity, slot!.ETag);
            }
            else
            {
                yield return new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, slot!.ETag);
            }
        }
    }

    /// <summary>Reads the guard's serialising row (its ETag is what the transaction is conditioned on), then runs its re-check.</summary>
    private async Task<TableEntity?> GuardAsync(Tenant tenant, SlotGuard? guard, CancellationToken ct)
    {
        if (guard is null)
        {
            return null;
        }
        var row = guard.RowKey is { } key
            ? await Table.GetEntityOrNullAsync(tenant.AccountId, key, cancellationToken: ct) ?? new TableEntity(tenant.AccountId, key)
            : null;
        if (guard.Recheck is { } recheck)
        {
            await recheck(ct);
        }
        return row;
    }

    /// <summary>
    /// What makes a guarded booking safe under concurrency: every slot row of the padded range that the booking itself does
    /// not rewrite is rewritten unchanged under its ETag (or added empty), and the guard's row is rewritten under its ETag —
    /// so any booking that committed meanwhile near this one, or on the same guarded day, fails this transaction.
    /// </summary>
    private static IEnumerable<TableTransactionAction> GuardActions(Tenant tenant, Dictionary<string, Slot> slots, List<TableTransactionAction> written, Appointment a, TimeSpan pad,
        TableEntity? guardRow)
    {
        if (pad > TimeSpan.Zero)
        {
            var touched = written.Select(w => w.Entity.RowKey).ToHashSet(StringComparer.Ordinal);
            foreach (var op in a.OperatorIds)
            {
                foreach (var hour in Hours(a.Start - pad, a.End + pad))
                {
                    var key = SlotKey(op, hour);
                    if (!touched.Add(key))
                    {
                        continue;
                    }
                    yield return slots.TryGetValue(key, out var slot)
                        ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, new TableEntity(tenant.AccountId, key) { { "Intervals", JsonSerializer.Serialize(slot.Intervals) } }, slot.ETag)
                        : new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(tenant.AccountId, key) { { "Intervals", "[]" } });
                }
            }
        }
        if (guardRow is not null)
        {
            var next = new TableEntity(tenant.AccountId, guardRow.RowKey) { { "Changes", (guardRow.GetInt64("Changes") ?? 0) + 1 } };
            yield return guardRow.ETag == default
                ? new TableTransactionAction(TableTransactionActionType.Add, next)
                : new TableTransactionAction(TableTransactionActionType.UpdateReplace, next, guardRow.ETag);
        }
    }

    private static IEnumerable<DateTimeOffset> Hours(DateTimeOffset start, DateTimeOffset end)
    {
        for (var h = HourOf(start); h < end; h = h.AddHours(1))
        {
            yield return h;
        }
    }

    private static DateTimeOffset HourOf(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerHour, TimeSpan.Zero);

    private static string SlotKey(string operatorId, DateTimeOffset hour) => SlotPrefix + operatorId + "|" + Stamp(hour);

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);

    // ---- rows ----

    private IEnumerable<TableTransactionAction> AddActions(Appointment a, Case c)
    {
        yield return new TableTransactionAction(TableTransactionActionType.Add, ToEntity(a));
        yield return new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(a.AccountId, CaseAppointmentPrefix + a.CaseId + "|" + a.Id));
        foreach (var action in CalendarActions(null, a, c))
        {
            yield return action;
        }
    }

    /// <summary>Removes the old calendar entries and writes the new ones (none for a cancelled appointment).</summary>
    private static IEnumerable<TableTransactionAction> CalendarActions(Appointment? before, Appointment? after, Case c)
    {
        var oldKeys = before is null ? [] : CalendarKeys(before).ToHashSet(StringComparer.Ordinal);
        var newKeys = after is null || after.Status == AppointmentStatus.Cancelled ? [] : CalendarKeys(after).ToList();
        foreach (var key in oldKeys.Where(k => !newKeys.Contains(k)))
        {
            yield return new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(c.AccountId, key), ETag.All);
        }
        foreach (var key in newKeys)
        {
            var entry = new TableEntity(c.AccountId, key)
            {
                { "AppointmentId", after!.Id },
                { "CaseId", after.CaseId },
                { "CaseName", c.Name },
                { "CaseNumber", c.Number },
                { "Type", Wire.Name(after.Type) },
                { "Start", after.Start },
                { "End", after.End },
                { "OperatorIds", string.Join(',', after.OperatorIds) },
            };
            yield return oldKeys.Contains(key) ? new TableTransactionAction(TableTransactionActionType.UpsertReplace, entry) : new TableTransactionAction(TableTransactionActionType.Add, entry);
        }
    }

    private static IEnumerable<string> CalendarKeys(Appointment a) =>
        a.OperatorIds.Select(op => CalendarPrefix + op + "|" + Stamp(a.Start) + "|" + a.Id).Append(TimePrefix + Stamp(a.Start) + "|" + a.Id);

    private static IReadOnlyDictionary<string, DateTimeOffset> With(IReadOnlyDictionary<string, DateTimeOffset> scheduled, Appointment a)
    {
        var copy = new Dictionary<string, DateTimeOffset>(scheduled) { [a.Id] = a.Start };
        return copy;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private TableEntity ToEntity(Appointment a) => new(a.AccountId, AppointmentPrefix + a.Id)
    {
        { "CaseId", a.CaseId },
        { "Type", a.Type.ToString() },
        { "Start", a.Start },
        { "End", a.End },
        { "TimeZone", a.TimeZone },
        { "OperatorIds", string.Join(',', a.OperatorIds) },
        { "InvitationSms", a.Invitation.Sms },
        { "InvitationEmail", a.Invitation.Email },
        { "InvitationLanguage", a.Invitation.Language },
        { "PinProtected", a.PinProtected },
        { "Secrets", secrets.Protect(a.JoinToken, a.Pin) },
        { "Status", a.Status.ToString() },
        { "History", JsonSerializer.Serialize(a.History, QueueJsonOptions) },
        { "CreatedAt", a.CreatedAt },
        { "UpdatedAt", a.UpdatedAt },
    };

    private Appointment ToAppointment(TableEntity e)
    {
        var (token, pin) = secrets.Unprotect(e.GetString("Secrets")!);
        return new Appointment(
            e.RowKey[AppointmentPrefix.Length..], e.PartitionKey, e.GetString("CaseId")!, Enum.Parse<AppointmentType>(e.GetString("Type")!),
            e.GetDateTimeOffset("Start")!.Value, e.GetDateTimeOffset("End")!.Value, e.GetString("TimeZone")!, CaseStore.SplitIds(e.GetString("OperatorIds")),
            new InvitationRequest(e.GetBoolean("InvitationSms") ?? false, e.GetBoolean("InvitationEmail") ?? false, e.GetString("InvitationLanguage") ?? "en"),
            e.GetBoolean("PinProtected") ?? false, pin, token, Enum.Parse<AppointmentStatus>(e.GetString("Status")!),
            JsonSerializer.Deserialize<List<HistoryEntry>>(e.GetString("History") ?? "[]", QueueJsonOptions)!,
            e.GetDateTimeOffset("CreatedAt") ?? default, e.GetDateTimeOffset("UpdatedAt") ?? default) { ETag = e.ETag };
    }

    private static readonly JsonSerializerOptions QueueJsonOptions = new(JsonSerializerDefaults.Web);
}

/// <summary>An operator already has a non-cancelled appointment in that time.</summary>
public sealed class OverlapException(string operatorId, DateTimeOffset start, DateTimeOffset end)
    : Exception($"Operator {operatorId} is booked from {start:u} to {end:u}.")
{
    public string OperatorId { get; } = operatorId;
    public DateTimeOffset Start { get; } = start;
    public DateTimeOffset End { get; } = end;
}

public sealed class AppointmentCancelledException() : Exception("The appointment is cancelled.");

/// <summary>
/// Extra conditions of a booking made by a customer (see Booking/): <paramref name="Padding"/> keeps that much time free on
/// both sides (the operator's buffers), <paramref name="RowKey"/> names a row every such booking of the same operator and
/// day rewrites (so daily caps hold under concurrency), and <paramref name="Recheck"/> runs after that row is read on every
/// attempt (it throws when the time is no longer bookable).
/// </summary>
public sealed record SlotGuard(TimeSpan Padding, string? RowKey, Func<CancellationToken, Task>? Recheck);
