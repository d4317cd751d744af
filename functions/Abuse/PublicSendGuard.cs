using Parley.Functions.Accounts;
using Parley.Functions.Common;
using Parley.Functions.Notifications.Providers;
using Parley.Functions.RateLimiting;
using Parley.Functions.Storage;
using PhoneNumberType = PhoneNumbers.PhoneNumberType;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Abuse;

/// <summary>Why the guard refused a message.</summary>
public enum RefusalReason
{
    /// <summary>Not a usable phone number or e-mail address.</summary>
    InvalidDestination,
    /// <summary>An SMS to a calling code outside the account's <see cref="SmsCountries"/>.</summary>
    CountryNotAllowed,
    /// <summary>An SMS to a number that is not a mobile one: premium rate, shared cost, UAN, unknown range, fixed line, …</summary>
    NumberType,
    /// <summary>Too many messages to this number or address within the hour.</summary>
    DestinationLimit,
    /// <summary>Too many messages caused from the same client address (IPv6: /64) within the hour.</summary>
    ClientLimit,
    /// <summary>The account's daily cap of messages caused by public pages is reached.</summary>
    AccountDailyLimit,
}

/// <summary>The guard's answer. <see cref="Unavailable"/>: it could not decide (storage), which is no permission either.</summary>
public sealed record SendCheck(bool Allowed, RefusalReason? Refusal, bool Unavailable)
{
    public static readonly SendCheck Allow = new(true, null, false);
    public static readonly SendCheck CannotDecide = new(false, null, true);

    public static SendCheck Refuse(RefusalReason reason) => new(false, reason, false);

    /// <summary>The refusal as the message store records it (English, like every delivery reason there).</summary>
    public string? Reason => Unavailable ? PublicSendGuard.UnavailableReason : Refusal is { } r ? PublicSendGuard.Describe(r, localized: false) : null;
}

/// <summary>
/// The one gate every message caused by a public page (booking page, later the website chat) passes before it reaches
/// the provider, against SMS pumping and mail bombing: anyone can type a number there and make Parley pay for texts to it.
/// Checks, cheapest first: a usable destination; for SMS a calling code the account allows and a mobile number
/// (libphonenumber's type: premium-rate, shared-cost, UAN and unknown ranges are refused); then the counters of
/// <see cref="TableRateLimiter"/> (fixed windows in Table Storage shared by all instances, keys hashed): per destination
/// 3 an hour, per client address 10 an hour, per account <see cref="Account.PublicMessagesPerDay"/> a UTC day.
/// Refusals are logged with the destination masked and kept for administrators (<c>GET /api/abuse/refused</c>).
/// When the counters cannot be read the guard <b>fails closed</b>: <see cref="SendCheck.Unavailable"/>, nothing is sent.
/// </summary>
public sealed class PublicSendGuard(TableRateLimiter limiter, RefusedSendStore refused, AccountStore accounts, IConfiguration configuration, ILogger<PublicSendGuard> logger)
{
    public static readonly RateLimitPolicy PerDestination = new("PublicSendDestination", 3, TimeSpan.FromHours(1));
    public static readonly RateLimitPolicy PerClient = new("PublicSendClient", 10, TimeSpan.FromHours(1));
    public const string PerAccountPolicy = "PublicSendAccount";

    public const string UnavailableReason = "Held back: the abuse guard cannot check its limits right now (storage unavailable); the message is retried later.";

    private readonly RateLimitPolicy _perDestination = PerDestination.WithConfiguration(configuration);
    private readonly RateLimitPolicy _perClient = PerClient.WithConfiguration(configuration);

    /// <summary>
    /// Whether a message caused by a public page may go to <paramref name="destination"/> (a phone number for SMS, an
    /// e-mail address). <paramref name="clientAddressHash"/> (see <see cref="Cases.PublicSource"/>) counts it against the requester; null
    /// when no request caused it now (a reminder). An allowed check uses up one message of every allowance.
    /// </summary>
    public async Task<SendCheck> CheckAsync(string accountId, MessageChannel channel, string destination, string? clientAddressHash, CancellationToken ct,
        string source = Cases.PublicSource.BookingPage, string? messageId = null)
    {
        Account? account;
        try
        {
            account = await accounts.GetAccountAsync(accountId, ct);
        }
        catch (Exception ex) when (StorageOutage.IsOutage(ex) && !ct.IsCancellationRequested)
        {
            logger.LogWarning("Abuse guard cannot read account {AccountId}; the message is held back", accountId);
            return SendCheck.CannotDecide;
        }
        if (account is null)
        {
            throw new InvalidOperationException($"Account {accountId} does not exist.");
        }
        return await CheckAsync(account, channel, destination, clientAddressHash, source, messageId, ct);
    }

    /// <summary>The same check for an account already loaded (the messenger has it at hand).</summary>
    public async Task<SendCheck> CheckAsync(Account account, MessageChannel channel, string destination, string? clientAddressHash, string source, string? messageId, CancellationToken ct)
    {
        var normalized = Normalize(channel, destination);
        var refusal = normalized is null ? RefusalReason.InvalidDestination : channel == MessageChannel.Sms ? NumberRefusal(account, normalized) : null;
        if (refusal is null)
        {
            try
            {
                refusal = await CountAsync(account, channel, normalized!, clientAddressHash, ct);
            }
            catch (RateLimiterUnavailableException)
            {
                logger.LogWarning("Abuse guard cannot reach its counters; {Channel} message to {Destination} held back", channel, Mask(channel, destination));
                return SendCheck.CannotDecide;
            }
        }
        if (refusal is not { } reason)
        {
            return SendCheck.Allow;
        }
        var masked = Mask(channel, normalized ?? destination);
        logger.LogWarning("Abuse guard refused a {Channel} message of account {AccountId} to {Destination}: {Reason}", channel, account.Id, masked, reason);
        await refused.RecordAsync(account.Id, channel, masked, reason, source, messageId, ct);
        return SendCheck.Refuse(reason);
    }

    /// <summary>
    /// The cheap check of a number at booking time, before anything is written: null when SMS may go to
    /// <paramref name="e164"/> as far as its country and type go (the counters are not touched), else the field error.
    /// </summary>
    public static string? CheckNumber(Account account, string e164) => NumberRefusal(account, e164) switch
    {
        null => null,
        RefusalReason.CountryNotAllowed => L("Text messages cannot be sent to numbers with this country code. Enter a mobile number from another country, or leave the field empty."),
        _ => L("Enter a mobile number: text messages cannot be sent to premium-rate, shared-cost or unknown numbers."),
    };

    /// <summary><see cref="CheckNumber"/> for an account by id.</summary>
    public async Task<string?> CheckNumberAsync(string accountId, string e164, CancellationToken ct) =>
        await accounts.GetAccountAsync(accountId, ct) is { } account ? CheckNumber(account, e164) : L("This value is not valid.");

    private static RefusalReason? NumberRefusal(Account account, string e164)
    {
        var (countryCode, type) = PhoneNumber.Classify(e164);
        if (countryCode == 0)
        {
            return RefusalReason.InvalidDestination;
        }
        if (!SmsCountries.Effective(account).Contains(countryCode))
        {
            return RefusalReason.CountryNotAllowed;
        }
        return type is PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE ? null : RefusalReason.NumberType;
    }

    /// <summary>Client first (it is the bot's own allowance), then the destination, then the account's day: a refusal spends none of the later ones.</summary>
    private async Task<RefusalReason?> CountAsync(Account account, MessageChannel channel, string destination, string? clientAddressHash, CancellationToken ct)
    {
        if (clientAddressHash is not null && !(await limiter.HitAsync(_perClient.Name, clientAddressHash, _perClient.Limit, _perClient.Window, ct)).Allowed)
        {
            return RefusalReason.ClientLimit;
        }
        var key = (channel == MessageChannel.Sms ? "sms:" : "email:") + destination; // across accounts: a number is pumped through any of them
        if (!(await limiter.HitAsync(_perDestination.Name, key, _perDestination.Limit, _perDestination.Window, ct)).Allowed)
        {
            return RefusalReason.DestinationLimit;
        }
        if (account.PublicMessagesPerDay <= 0
            || !(await limiter.HitAsync(PerAccountPolicy, account.Id, account.PublicMessagesPerDay, TimeSpan.FromDays(1), ct)).Allowed)
        {
            return RefusalReason.AccountDailyLimit;
        }
        return null;
    }

    /// <summary>E.164 for SMS, the lower-cased address for e-mail; null when unusable.</summary>
    internal static string? Normalize(MessageChannel channel, string destination)
    {
        if (channel == MessageChannel.Sms)
        {
            return PhoneNumber.TryNormalize(destination, out var e164) ? e164 : null;
        }
        var email = destination.Trim().ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1 ? email : null;
    }

    /// <summary>A destination as logs and reports show it: <c>+49 151 ****67</c>, <c>a***@example.com</c>; never the whole.</summary>
    public static string Mask(MessageChannel channel, string destination)
    {
        if (channel == MessageChannel.Sms)
        {
            return PhoneNumber.Mask(PhoneNumber.TryNormalize(destination, out var e164) ? e164 : null);
        }
        var trimmed = destination.Trim();
        var at = trimmed.LastIndexOf('@');
        return at > 0 ? trimmed[..1] + "***" + trimmed[at..].ToLowerInvariant() : "***";
    }

    /// <summary>What a refusal means, in the request's language for people or in English for the delivery record.</summary>
    public static string Describe(RefusalReason reason, bool localized)
    {
        var text = reason switch
        {
            RefusalReason.InvalidDestination => "Not sent (abuse guard): the number or address cannot be used.",
            RefusalReason.CountryNotAllowed => "Not sent (abuse guard): the account does not send text messages to this country code.",
            RefusalReason.NumberType => "Not sent (abuse guard): not a mobile number (premium-rate, shared-cost or unknown numbers get no text messages).",
            RefusalReason.DestinationLimit => "Not sent (abuse guard): too many messages to this number or address within an hour.",
            RefusalReason.ClientLimit => "Not sent (abuse guard): too many messages caused from the same network within an hour.",
            _ => "Not sent (abuse guard): the account's daily limit of messages caused by public pages is reached.",
        };
        return localized ? Localize(reason) : text;
    }

    // Literal L(...) calls, so the translation test finds each text.
    private static string Localize(RefusalReason reason) => reason switch
    {
        RefusalReason.InvalidDestination => L("Not sent (abuse guard): the number or address cannot be used."),
        RefusalReason.CountryNotAllowed => L("Not sent (abuse guard): the account does not send text messages to this country code."),
        RefusalReason.NumberType => L("Not sent (abuse guard): not a mobile number (premium-rate, shared-cost or unknown numbers get no text messages)."),
        RefusalReason.DestinationLimit => L("Not sent (abuse guard): too many messages to this number or address within an hour."),
        RefusalReason.ClientLimit => L("Not sent (abuse guard): too many messages caused from the same network within an hour."),
        _ => L("Not sent (abuse guard): the account's daily limit of messages caused by public pages is reached."),
    };
}
