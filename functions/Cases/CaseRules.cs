using Parley.Functions.Accounts;
using Parley.Functions.Common;
using Parley.Functions.CustomFields;
using Parley.Functions.Identity;
using static Parley.Functions.Common.ServerText;

namespace Parley.Functions.Cases;

/// <summary>The validation and visibility rules of cases, shared by the case and appointment endpoints.</summary>
public sealed class CaseRules(AccountStore accounts, CustomFieldStore customFields, TimeProvider time)
{
    public const int MaxNameLength = 50;

    /// <summary>Administrators see every case; operators too, unless the account separates operators.</summary>
    public async Task<bool> CanSeeAsync(Tenant tenant, Case c, CancellationToken ct)
    {
        if (tenant.IsAdministrator)
        {
            return true;
        }
        var account = await accounts.GetSettingsAsync(tenant, ct);
        return account is { SeparateOperators: false } || c.AssignedOperatorIds.Contains(tenant.OperatorId!);
    }

    /// <summary>The operator whose cases an operator may list when the account separates operators; null = all.</summary>
    public async Task<string?> ListRestrictionAsync(Tenant tenant, CancellationToken ct) =>
        !tenant.IsAdministrator && (await accounts.GetSettingsAsync(tenant, ct))?.SeparateOperators == true ? tenant.OperatorId : null;

    /// <summary>A new case from a request; null (with errors in <paramref name="v"/>) when invalid.</summary>
    public async Task<Case?> NewCaseAsync(Validation v, CaseRequest request, Tenant tenant, string fieldPrefix, CancellationToken ct)
    {
        var account = await accounts.GetSettingsAsync(tenant, ct);
        var name = v.Text(fieldPrefix + "name", request.Name, MaxNameLength);
        var email = v.Email(fieldPrefix + "email", request.Email, required: false);
        var phone = Phone(v, fieldPrefix + "phone", request.Phone);
        var reference = v.Text(fieldPrefix + "internalReference", request.InternalReference, 100, required: false);
        var notes = v.Text(fieldPrefix + "notes", request.Notes, 10_000, required: false, multiLine: true);
        var language = v.Language(fieldPrefix + "language", request.Language, required: false) ?? account?.DefaultLanguage ?? "en";
        var definitions = await customFields.ListAsync(tenant, ct);
        var values = CustomFieldValues.Check(v, definitions, request.CustomFields, creating: true);
        var assigned = request.AssignedOperatorIds is null
            ? (tenant.OperatorId is null ? [] : [tenant.OperatorId])
            : await OperatorsAsync(v, fieldPrefix + "assignedOperatorIds", request.AssignedOperatorIds, tenant, allowEmpty: true, ct);
        var origin = tenant.IsApiKey ? CaseOrigin.Api : CaseOrigin.Manual;
        if (request.Origin is not null)
        {
            if (tenant.IsApiKey && string.Equals(request.Origin, "zapier", StringComparison.OrdinalIgnoreCase))
            {
                origin = CaseOrigin.Zapier;
            }
            else if (!string.Equals(request.Origin, Wire.Name(origin), StringComparison.OrdinalIgnoreCase))
            {
                v.Add(fieldPrefix + "origin", L("The origin is set by Parley; API callers may only declare 'zapier'."));
            }
        }
        if (!v.IsValid)
        {
            return null;
        }
        var now = time.GetUtcNow();
        return new Case(SecureTokens.NewId(), tenant.AccountId, 0, name!, origin, CustomerStatus.Away, email, phone, reference, notes,
            values.Where(p => p.Value.Length > 0).ToDictionary(), assigned, language, CaseStatus.Active, null,
            new Dictionary<string, DateTimeOffset>(), tenant.OperatorId ?? tenant.ApiKeyId ?? "", now, now);
    }

    /// <summary>Applies a PATCH; only the fields present change.</summary>
    public async Task<Case?> PatchAsync(Validation v, Case c, CasePatch patch, Tenant tenant, CancellationToken ct)
    {
        var name = patch.Name is null ? c.Name : v.Text("name", patch.Name, MaxNameLength) ?? c.Name;
        if (c.Hidden is not null)
        {
            RefuseHiddenContactChange(v, c, "email", patch.Email);
            RefuseHiddenContactChange(v, c, "phone", patch.Phone);
        }
        var email = patch.Email is null ? c.Email : patch.Email.Trim().Length == 0 ? null : v.Email("email", patch.Email);
        var phone = patch.Phone is null ? c.Phone : patch.Phone.Trim().Length == 0 ? null : Phone(v, "phone", patch.Phone);
        var reference = patch.InternalReference is null ? c.InternalReference : v.Text("internalReference", patch.InternalReference, 100, required: false);
        var notes = patch.Notes is null ? c.Notes : v.Text("notes", patch.Notes, 10_000, required: false, multiLine: true);
        var language = patch.Language is null ? c.Language : v.Language("language", patch.Language) ?? c.Language;
        var custom = new Dictionary<string, string>(c.CustomFields);
        if (patch.CustomFields is not null)
        {
            var checkedValues = CustomFieldValues.Check(v, await customFields.ListAsync(tenant, ct), patch.CustomFields, creating: false);
            foreach (var (key, value) in checkedValues)
            {
                if (value.Length == 0)
                {
                    custom.Remove(key);
                }
                else
                {
                    custom[key] = value;
                }
            }
        }
        var assigned = patch.AssignedOperatorIds is null ? c.AssignedOperatorIds : await OperatorsAsync(v, "assignedOperatorIds", patch.AssignedOperatorIds, tenant, allowEmpty: true, ct);
        return v.IsValid
            ? c with { Name = name, Email = email, Phone = phone, InternalReference = reference, Notes = notes, Language = language, CustomFields = custom, AssignedOperatorIds = assigned, UpdatedAt = time.GetUtcNow() }
            : null;
    }

    /// <summary>A case from a dialog keeps the customer's addresses hidden: nobody types over them (and so learns nothing by trying).</summary>
    public static void RefuseHiddenContactChange(Validation v, Case c, string field, string? value)
    {
        if (c.Hidden is not null && value is not null)
        {
            v.Add(field, L("The customer's contact data is hidden (from dialog {0}) and cannot be changed.", c.Hidden.DialogCustomerId));
        }
    }

    public static string? Phone(Validation v, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var problem = PhoneNumber.Normalize(value, null, out var normalized);
        if (problem != PhoneNumberProblem.None)
        {
            v.Add(field, problem switch
            {
                PhoneNumberProblem.NotANumber => L("Enter a phone number in digits, e.g. +49 9999 999."),
                PhoneNumberProblem.TooShort => L("This number is too short for its country code."),
                PhoneNumberProblem.TooLong => L("This number is too long for its country code."),
                PhoneNumberProblem.WrongLength => L("This number has the wrong number of digits for its country code."),
                _ => L("Enter the number with + and the country code, e.g. +49 9999 999 for 9999 999 in Germany."),
            });
            return null;
        }
        return normalized;
    }

    /// <summary>Operator ids must be active operators of the tenant's account.</summary>
    public async Task<IReadOnlyList<string>> OperatorsAsync(Validation v, string field, IReadOnlyList<string> ids, Tenant tenant, bool allowEmpty, CancellationToken ct)
    {
        var distinct = ids.Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            if (!allowEmpty)
            {
                v.Add(field, L("Choose at least one operator."));
            }
            return [];
        }
        if (distinct.Count > 10)
        {
            v.Add(field, L("Choose at most {0} operators.", 10));
            return [];
        }
        var active = (await accounts.ListOperatorsAsync(tenant, ct)).Where(o => o.Active).Select(o => o.Id).ToHashSet(StringComparer.Ordinal);
        var unknown = distinct.Where(id => !active.Contains(id)).ToList();
        if (unknown.Count > 0)
        {
            v.Add(field, L("These are not active operators of your account: {0}.", string.Join(", ", unknown)));
        }
        return distinct;
    }
}
