using System.Globalization;
using LiteDB;
using SiteHub.Hub.Reconciliation;

namespace SiteHub.Hub.Registry;

/// <summary>A project as <c>registry.db</c> stores it.</summary>
public sealed record ProjectDoc
{
    [BsonId] public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string[] SiteIds { get; init; } = [];
    public string Contractor { get; init; } = "";
    public string WageAccountHash { get; init; } = "";
    public string WageAccountMasked { get; init; } = "";
    public int PayDay { get; init; } = 15;
    public string TimeZone { get; init; } = "Asia/Shanghai";
    public decimal Tolerance { get; init; } = 0.01m;
    public int? NoAttendanceDays { get; init; }
    public decimal? ExcessivePayCap { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public Project ToProject() => new(Id, Name, SiteIds, Contractor, WageAccountHash, WageAccountMasked, PayDay,
        TimeZoneInfo.FindSystemTimeZoneById(TimeZone), Tolerance, NoAttendanceDays, ExcessivePayCap);

    public static ProjectDoc From(Project project, DateTimeOffset at) => new()
    {
        Id = project.ProjectId,
        Name = project.Name,
        SiteIds = [.. project.SiteIds],
        Contractor = project.Contractor,
        WageAccountHash = project.WageAccountHash,
        WageAccountMasked = project.WageAccountMasked,
        PayDay = project.PayDay,
        TimeZone = project.TimeZone.Id,
        Tolerance = project.Tolerance,
        NoAttendanceDays = project.NoAttendanceDays,
        ExcessivePayCap = project.ExcessivePayCap,
        UpdatedAt = at,
    };
}

/// <summary>A worker's enrolment on one project (<c>_id</c> = <c>worker|project</c>). ID and account only hashed and masked.</summary>
public sealed record WorkerDoc
{
    [BsonId] public string Id { get; init; } = "";
    public string WorkerId { get; init; } = "";
    public string ProjectId { get; init; } = "";
    public string Name { get; init; } = "";
    public string IdNumberHash { get; init; } = "";
    public string IdNumberMasked { get; init; } = "";
    public string Employer { get; init; } = "";
    public string Team { get; init; } = "";
    public string BankAccountHash { get; init; } = "";
    public string BankAccountMasked { get; init; } = "";
    public string WageType { get; init; } = "day";
    public decimal WageRate { get; init; }
    public string StartDate { get; init; } = "";
    public string? EndDate { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    public static string KeyOf(string workerId, string projectId) => workerId + "|" + projectId;

    public RosterEntry ToEntry() => new(WorkerId, Name, IdNumberHash, IdNumberMasked, ProjectId, Employer, Team, BankAccountHash, BankAccountMasked,
        WageType == "month" ? Registry.WageType.Month : Registry.WageType.Day, WageRate, ParseDate(StartDate), EndDate is null ? null : ParseDate(EndDate));

    public static WorkerDoc From(RosterEntry entry, DateTimeOffset at) => new()
    {
        Id = KeyOf(entry.WorkerId, entry.ProjectId),
        WorkerId = entry.WorkerId,
        ProjectId = entry.ProjectId,
        Name = entry.Name,
        IdNumberHash = entry.IdNumberHash,
        IdNumberMasked = entry.IdNumberMasked,
        Employer = entry.Employer,
        Team = entry.Team,
        BankAccountHash = entry.BankAccountHash,
        BankAccountMasked = entry.BankAccountMasked,
        WageType = entry.WageType == Registry.WageType.Month ? "month" : "day",
        WageRate = entry.WageRate,
        StartDate = FormatDate(entry.StartDate),
        EndDate = entry.EndDate is { } end ? FormatDate(end) : null,
        UpdatedAt = at,
    };

    public static string FormatDate(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateOnly ParseDate(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}

/// <summary>A contractor (general contractor of projects, or an employing subcontractor); <c>_id</c> = its name.</summary>
public sealed record ContractorDoc
{
    [BsonId] public string Id { get; init; } = "";
    public DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>A team (班组) of an employer on a project; <c>_id</c> = <c>project|employer|team</c>.</summary>
public sealed record TeamDoc
{
    [BsonId] public string Id { get; init; } = "";
    public string ProjectId { get; init; } = "";
    public string Employer { get; init; } = "";
    public string Team { get; init; } = "";
}

/// <summary>A bank payout as imported (<c>_id</c> = txn id). ID and account only hashed and masked.</summary>
public sealed record PayoutDoc
{
    [BsonId] public string Id { get; init; } = "";
    public string PayerAccountHash { get; init; } = "";
    public string PayerAccountMasked { get; init; } = "";
    public string PayeeName { get; init; } = "";
    public string? PayeeIdHash { get; init; }
    public string? PayeeIdMasked { get; init; }
    public string PayeeAccountHash { get; init; } = "";
    public string PayeeAccountMasked { get; init; } = "";
    public decimal Amount { get; init; }
    public string WageMonth { get; init; } = "";

    /// <summary>The bank's date and time as written (ISO 8601, no offset): LiteDB would move a <see cref="DateTime"/> to UTC.</summary>
    public string PaidAtLocal { get; init; } = "";
    public int? PaidAtOffsetMinutes { get; init; }
    public string Status { get; init; } = "SUCCESS";
    public long ImportId { get; init; }

    public Payout ToPayout()
    {
        if (!YearMonth.TryParse(WageMonth, out var month))
        {
            throw new InvalidDataException($"payout {Id} has no valid wage month in registry.db");
        }

        return new Payout(Id, PayerAccountHash, PayerAccountMasked, PayeeName, PayeeIdHash, PayeeIdMasked, PayeeAccountHash, PayeeAccountMasked,
            Amount, month, new BankTimestamp(DateTime.ParseExact(PaidAtLocal, "O", CultureInfo.InvariantCulture, DateTimeStyles.None),
                PaidAtOffsetMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null),
            Status == "FAILED" ? PayoutStatus.Failed : PayoutStatus.Success);
    }

    public static PayoutDoc From(Payout payout, long importId) => new()
    {
        Id = payout.TxnId,
        PayerAccountHash = payout.PayerAccountHash,
        PayerAccountMasked = payout.PayerAccountMasked,
        PayeeName = payout.PayeeName,
        PayeeIdHash = payout.PayeeIdHash,
        PayeeIdMasked = payout.PayeeIdMasked,
        PayeeAccountHash = payout.PayeeAccountHash,
        PayeeAccountMasked = payout.PayeeAccountMasked,
        Amount = payout.Amount,
        WageMonth = payout.WageMonth.ToString(),
        PaidAtLocal = DateTime.SpecifyKind(payout.PaidAt.Local, DateTimeKind.Unspecified).ToString("O", CultureInfo.InvariantCulture),
        PaidAtOffsetMinutes = payout.PaidAt.Offset is { } offset ? (int)offset.TotalMinutes : null,
        Status = payout.Status == PayoutStatus.Failed ? "FAILED" : "SUCCESS",
        ImportId = importId,
    };
}

/// <summary>One import of a file: what it was, when, and how it went.</summary>
public sealed record ImportDoc
{
    [BsonId] public long Id { get; init; }
    public string Kind { get; init; } = "";
    public string File { get; init; } = "";
    public string Sha256 { get; init; } = "";
    public DateTimeOffset At { get; init; }
    public string User { get; init; } = "";
    public int Imported { get; init; }
    public int Skipped { get; init; }
    public int ErrorCount { get; init; }

    /// <summary>The first row errors (at most <see cref="RegistryStore.MaxStoredErrors"/>).</summary>
    public List<ImportErrorDoc> Errors { get; init; } = [];

    /// <summary>The earlier import of the same bytes, when this one imported nothing for that reason.</summary>
    public long? DuplicateOf { get; init; }
}

/// <summary>A row error as stored with its import.</summary>
public sealed record ImportErrorDoc
{
    public long Line { get; init; }
    public string? Column { get; init; }
    public string Reason { get; init; } = "";
}
