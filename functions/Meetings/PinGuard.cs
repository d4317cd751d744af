using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Parley.Functions.Appointments;
using Parley.Functions.Common;
using Parley.Functions.Notifications;
using Parley.Functions.Storage;

namespace Parley.Functions.Meetings;

public enum PinVerdict
{
    Correct,
    Wrong,
    Locked,
}

/// <summary>
/// The meeting code as a second factor behind the link token. Each code (a <i>generation</i>: the appointment's
/// "pinReissued" history entries counted) survives <see cref="MeetingOptions.PinMaxFailures"/> wrong entries. A guess is
/// compared only after it <b>reserved</b> one of them (counter row <c>pin</c> in the room's partition, under If-Match),
/// so however many guesses arrive at once, at most that many are ever compared. The guess that uses the last one locks
/// the code; a new code is then issued and sent through the invitation channels (history entry "pinReissued", which
/// the notifications workflow sends as an invitation), at most <see cref="MeetingOptions.PinMaxReissues"/> times per
/// meeting; after that the code stays locked until the operator issues one ("pinLocked" tells them why).
/// Codes are never logged.
/// </summary>
public sealed class PinGuard(RoomStore rooms, AppointmentStore appointments, AppointmentMessages messages, TimeProvider time, IOptions<MeetingOptions> options,
    ILogger<PinGuard> logger)
{
    public const string ReissuedAction = "pinReissued";
    public const string LockedAction = "pinLocked";
    public const string SystemActor = "system";

    public static int Generation(Appointment a) => a.History.Count(e => e.Action == ReissuedAction);

    public async Task<PinVerdict> CheckAsync(Appointment appointment, string guess, CancellationToken ct)
    {
        var room = new RoomKey(appointment.AccountId, appointment.Id);
        var max = options.Value.PinMaxFailures;
        var generation = Generation(appointment);
        for (var attempt = 0; ; attempt++)
        {
            var row = await rooms.Table.GetEntityOrNullAsync(room.Partition, "pin", cancellationToken: ct);
            var current = row?.GetInt32("Generation") == generation;
            var failures = current ? row!.GetInt32("Failures") ?? 0 : 0;
            if ((current && row!.GetBoolean("Locked") == true) || failures >= max)
            {
                return PinVerdict.Locked;
            }
            var reserved = new TableEntity(room.Partition, "pin")
            {
                ["Generation"] = generation,
                ["Failures"] = failures + 1,
                ["Locked"] = false,
                ["Reissues"] = row?.GetInt32("Reissues") ?? 0,
            };
            try
            {
                if (row is null)
                {
                    await rooms.Table.AddEntityAsync(reserved, ct);
                }
                else
                {
                    await rooms.Table.UpdateEntityAsync(reserved, row.ETag, TableUpdateMode.Replace, ct);
                }
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                if (attempt >= 20)
                {
                    return PinVerdict.Wrong; // too contended to reserve a guess: refuse without comparing
                }
                continue;
            }
            if (appointment.Pin is { } pin && SecureTokens.FixedTimeEquals(pin, guess))
            {
                await ReleaseAsync(room, generation, ct);
                return PinVerdict.Correct;
            }
            if (failures + 1 >= max)
            {
                await LockAsync(appointment, room, generation, ct);
            }
            return PinVerdict.Wrong;
        }
    }

    /// <summary>Whether the current code is locked (the operator's room view says so, and why is in the history).</summary>
    public async Task<bool> IsLockedAsync(Appointment appointment, CancellationToken ct)
    {
        if (!appointment.PinProtected)
        {
            return false;
        }
        var row = await rooms.Table.GetEntityOrNullAsync(appointment.AccountId + "|" + appointment.Id, "pin", cancellationToken: ct);
        return row?.GetInt32("Generation") == Generation(appointment) && row.GetBoolean("Locked") == true;
    }

    /// <summary>A correct code gives back the guess it reserved: only wrong codes count.</summary>
    private async Task ReleaseAsync(RoomKey room, int generation, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var row = await rooms.Table.GetEntityOrNullAsync(room.Partition, "pin", cancellationToken: ct);
            if (row is null || row.GetInt32("Generation") != generation || row.GetBoolean("Locked") == true)
            {
                return;
            }
            row["Failures"] = Math.Max(0, (row.GetInt32("Failures") ?? 1) - 1);
            try
            {
                await rooms.Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, ct);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
            }
        }
    }

    /// <summary>The last wrong guess of a code: lock it; issue a new one while automatic reissues are left.</summary>
    private async Task LockAsync(Appointment appointment, RoomKey room, int generation, CancellationToken ct)
    {
        var row = await rooms.Table.GetEntityOrNullAsync(room.Partition, "pin", cancellationToken: ct);
        var reissues = row?.GetInt32("Reissues") ?? 0;
        await rooms.Table.UpsertEntityAsync(new TableEntity(room.Partition, "pin")
        {
            ["Generation"] = generation,
            ["Failures"] = options.Value.PinMaxFailures,
            ["Locked"] = true,
            ["Reissues"] = reissues,
        }, TableUpdateMode.Replace, ct);
        var tenant = WorkflowTenant.For(appointment.AccountId);
        var canReissue = reissues < options.Value.PinMaxReissues && appointment.Status == AppointmentStatus.Scheduled;
        logger.LogWarning("Meeting code of appointment {AppointmentId} (account {AccountId}) locked after {Failures} wrong entries; {Action}",
            appointment.Id, appointment.AccountId, options.Value.PinMaxFailures, canReissue ? "a new code is sent to the customer" : "the operator must issue a new code");
        if (canReissue)
        {
            await ReissueAsync(tenant, appointment.Id, SystemActor, ServerText.L("The code was entered wrongly {0} times, so it was locked and a new one was sent.", options.Value.PinMaxFailures), ct);
            await rooms.Table.UpsertEntityAsync(new TableEntity(room.Partition, "pin") { ["Reissues"] = reissues + 1 }, TableUpdateMode.Merge, ct);
        }
        else
        {
            await appointments.UpdateAsync(tenant, appointment.Id, a => a with
            {
                UpdatedAt = time.GetUtcNow(),
                History = [.. a.History, new HistoryEntry(time.GetUtcNow(), LockedAction, SystemActor, a.Start, a.End,
                    ServerText.L("The code was entered wrongly {0} times, so it is locked. Issue a new code to let the customer in.", options.Value.PinMaxFailures), null)],
            }, ct);
        }
    }

    /// <summary>
    /// A new code: the appointment gets it with a "pinReissued" entry (a new generation, so the failure count starts
    /// afresh), and individual appointments send it through the invitation channels. Returns the saved appointment.
    /// </summary>
    public async Task<Appointment> ReissueAsync(Identity.Tenant tenant, string appointmentId, string by, string reason, CancellationToken ct)
    {
        var before = await appointments.GetAsync(tenant, appointmentId, ct) ?? throw new KeyNotFoundException();
        var instance = await messages.HandOverAsync(tenant.AccountId, appointmentId, before.History.Count, ct);
        var saved = await appointments.UpdateAsync(tenant, appointmentId, a => a with
        {
            Pin = MeetingSecrets.NewPin(),
            PinProtected = true,
            UpdatedAt = time.GetUtcNow(),
            History = [.. a.History, new HistoryEntry(time.GetUtcNow(), ReissuedAction, by, a.Start, a.End, reason, a.Invitation)],
        }, ct);
        await messages.WrittenAsync(instance);
        return saved;
    }
}
