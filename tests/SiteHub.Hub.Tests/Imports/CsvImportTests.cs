using System.Globalization;
using System.Text;
using CsCheck;
using SiteHub.Hub.Imports;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Registry;
using SiteHub.Hub.Tests.Reconciliation;

namespace SiteHub.Hub.Tests.Imports;

public sealed class CsvImportTests
{
    private const string ProjectsCsv = """
        project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance
        P1,一号楼,site-1,中建,6222000000000001,15,Asia/Shanghai,0.01

        """;

    private const string RosterHeader = "worker_id,name,id_number,project_id,employer,team,bank_account,wage_type,wage_rate,start_date,end_date\n";
    private const string PayoutHeader = "txn_id,payer_account,payee_name,payee_id_number,payee_account,amount,wage_month,paid_at,status\n";
    private const string ValidId = "11010519491231002X";

    static CsvImportTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static CsvImporter Importer(ImportOptions? options = null) =>
        new(Scenario.Hasher, options ?? new ImportOptions(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), new DateOnly(2024, 6, 1));

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    private static Dictionary<string, Project> Projects() =>
        Importer().ReadProjects(Utf8(ProjectsCsv), "projects.csv", []).ToDictionary(p => p.ProjectId);

    private static (IReadOnlyList<RosterEntry> Rows, List<ImportError> Errors) Roster(Stream stream, ImportOptions? options = null)
    {
        var errors = new List<ImportError>();
        return (Importer(options).ReadRoster(stream, "roster.csv", Projects(), errors), errors);
    }

    private static (List<Payout> Rows, List<ImportError> Errors) Payouts(string text, ImportOptions? options = null, Func<string, bool>? imported = null)
    {
        var errors = new List<ImportError>();
        return (Importer(options).ReadPayouts(Utf8(text), "payouts.csv", errors, imported).ToList(), errors);
    }

    [Fact]
    public void Projects_are_read_with_defaults_for_empty_pay_day_zone_and_tolerance()
    {
        var project = Assert.Single(Importer().ReadProjects(Utf8("""
            project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance
            P1,A,site-1;site-2,C,6222 0000 0000 0001,,,

            """), "projects.csv", []));

        Assert.Equal((15, "Asia/Shanghai", 0.01m, 2), (project.PayDay, project.TimeZone.Id, project.Tolerance, project.SiteIds.Count));
        Assert.Equal("6222********0001", project.WageAccountMasked);
    }

    [Fact]
    public void Invalid_project_fields_are_reported_by_column()
    {
        var errors = new List<ImportError>();
        var projects = Importer().ReadProjects(Utf8("""
            project_id,name,site_id,contractor,wage_account,pay_day,timezone,tolerance
            P1,A,s1,C,6222000000000001,31,Mars/Olympus,1.5
            P2,B,s2,C,6222000000000002,10,Asia/Shanghai,0.02
            P2,B,s3,C,6222000000000003,10,Asia/Shanghai,0.02

            """), "projects.csv", errors);

        Assert.Equal("P2", Assert.Single(projects).ProjectId);
        Assert.Equal(["projects.csv:2: pay_day", "projects.csv:2: timezone", "projects.csv:2: tolerance", "projects.csv:4: project_id"],
            errors.Select(e => $"{e.File}:{e.Line}: {e.Column}"));
    }

    [Fact]
    public void Roster_rows_with_invalid_id_numbers_are_reported_without_the_number_and_good_rows_import()
    {
        var (rows, errors) = Roster(Utf8(RosterHeader + $"""
            w1,张三,{ValidId},P1,E,T,6222021234561234,day,300.00,2024-01-01,
            w2,李四,110105194912310021,P1,E,T,6222021234561235,day,300.00,2024-01-01,
            w3,王五,1101051949123,P1,E,T,6222021234561236,day,300.00,2024-01-01,
            w4,赵六,{ResidentIdNumber.WithCheckCharacter("11010519490230002")},P1,E,T,6222021234561237,day,300.00,2024-01-01,

            """));

        Assert.Equal("w1", Assert.Single(rows).WorkerId);
        Assert.Equal("1101**********002X", rows[0].IdNumberMasked);
        Assert.Equal([(3L, "id_number"), (4L, "id_number"), (5L, "id_number")], errors.Select(e => (e.Line, e.Column!)));
        Assert.Contains("check digit", errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("birth date", errors[2].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(errors, e => e.ToString().Contains("110105194912310021", StringComparison.Ordinal));
    }

    [Fact]
    public void Roster_row_for_an_unknown_project_is_reported()
    {
        var (rows, errors) = Roster(Utf8(RosterHeader + $"w1,张三,{ValidId},P9,E,T,6222021234561234,day,300.00,2024-01-01,\n"));

        Assert.Empty(rows);
        var error = Assert.Single(errors);
        Assert.Equal(("project_id", "unknown project 'P9'"), (error.Column, error.Reason));
    }

    [Fact]
    public void Roster_rejects_one_id_number_for_two_workers_and_a_worker_twice_on_a_project()
    {
        var (rows, errors) = Roster(Utf8(RosterHeader + $"""
            w1,张三,{ValidId},P1,E,T,6222021234561234,day,300.00,2024-01-01,
            w2,张三,{ValidId},P1,E,T,6222021234561234,day,300.00,2024-01-01,
            w1,张三,{ValidId},P1,E,T,6222021234561234,month,9000,2024-01-01,

            """));

        Assert.Single(rows);
        Assert.Equal([(3L, "id_number"), (4L, "worker_id")], errors.Select(e => (e.Line, e.Column!)));
    }

    [Fact]
    public void Rows_with_the_wrong_number_of_fields_are_reported_and_the_rest_import()
    {
        var (rows, errors) = Roster(Utf8(RosterHeader + $"""
            w1,张三,{ValidId},P1,E,T,6222021234561234,day,300.00,2024-01-01
            w2,李四,{ValidId},P1,E,T,6222021234561234,day,300.00,2024-01-01,,extra
            w3,王五,{ValidId},P1,E,T,6222021234561234,day,300.00,2024-01-01,

            """));

        Assert.Equal("w3", Assert.Single(rows).WorkerId);
        Assert.Equal(["roster.csv:2: has 10 fields, the header has 11", "roster.csv:3: has 12 fields, the header has 11"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Quoted_fields_with_commas_and_line_breaks_are_read_and_later_lines_keep_their_numbers()
    {
        var (rows, errors) = Roster(Utf8(RosterHeader
            + $"w1,\"Zhang, San\",{ValidId},P1,\"E \"\"one\"\"\",\"team\ntwo\",6222021234561234,day,300.00,2024-01-01,\n"
            + "w2,李四,bad,P1,E,T,6222021234561235,day,300.00,2024-01-01,\n"));

        Assert.Equal(("Zhang, San", "E \"one\"", "team\ntwo"), (rows[0].Name, rows[0].Employer, rows[0].Team.ReplaceLineEndings("\n")));
        Assert.Equal(4, Assert.Single(errors).Line);
    }

    [Fact]
    public void A_file_without_a_required_column_is_unusable()
    {
        var e = Assert.Throws<CsvFileException>(() => Roster(Utf8("worker_id,name,project_id\nw1,a,P1\n")));

        Assert.Contains("id_number", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("-5.00", "must not be negative")]
    [InlineData("12.345", "two decimals")]
    [InlineData("1,000.00", "two decimals")]
    [InlineData("abc", "two decimals")]
    [InlineData("1e3", "two decimals")]
    [InlineData("", "two decimals")]
    public void Negative_or_malformed_amounts_are_reported(string amount, string reason)
    {
        var (rows, errors) = Payouts(PayoutHeader + $"t1,6222000000000001,张三,{ValidId},6222021234561234,\"{amount}\",2024-03,2024-04-10,SUCCESS\n");

        Assert.Empty(rows);
        var error = Assert.Single(errors);
        Assert.Equal("amount", error.Column);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Amounts_keep_their_fen()
    {
        var (rows, _) = Payouts(PayoutHeader + $"t1,6222000000000001,张三,{ValidId},6222021234561234,3000.5,2024-03,2024-04-10T10:00:00+08:00,success\n");

        Assert.Equal((3000.50m, PayoutStatus.Success, TimeSpan.FromHours(8)), (rows[0].Amount, rows[0].Status, rows[0].PaidAt.Offset!.Value));
    }

    [Fact]
    public void Duplicate_transaction_ids_are_reported_and_imported_once()
    {
        var (rows, errors) = Payouts(PayoutHeader + $"""
            t1,6222000000000001,张三,{ValidId},6222021234561234,300.00,2024-03,2024-04-10,SUCCESS
            t1,6222000000000001,张三,{ValidId},6222021234561234,300.00,2024-03,2024-04-10,SUCCESS
            t2,6222000000000001,张三,{ValidId},6222021234561234,300.00,2024-03,2024-04-10,SUCCESS

            """, imported: txn => txn == "t2");

        Assert.Equal("t1", Assert.Single(rows).TxnId);
        Assert.Equal(["payouts.csv:3: txn_id: duplicate txn_id 't1' (first on line 2)", "payouts.csv:4: txn_id: txn_id 't2' was imported before"], errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Bad_month_date_and_status_are_reported_by_column()
    {
        var (_, errors) = Payouts(PayoutHeader + $"t1,6222000000000001,张三,{ValidId},6222021,300.00,2024-13,10/04/2024,PAID\n");

        Assert.Equal(["payee_account", "wage_month", "paid_at", "status"], errors.Select(e => e.Column!));
    }

    [Fact]
    public void Another_banks_layout_is_read_through_the_column_mapping()
    {
        var options = new ImportOptions();
        var names = new[] { "流水号", "付款账号", "收款人", "收款人证件号", "收款账号", "金额", "工资月份", "交易时间", "状态" };
        foreach (var (column, name) in CsvImporter.PayoutColumns.Zip(names))
        {
            options.Payouts.Columns[column] = name;
        }

        options.Payouts.Values["成功"] = "SUCCESS";
        options.Payouts.Values["失败"] = "FAILED";

        var (rows, errors) = Payouts($"""
            备注,{string.Join(',', names)}
            x,t1,6222000000000001,张三,{ValidId},6222021234561234,300.00,2024-03,2024-04-10 09:30:00,成功
            y,t2,6222000000000001,张三,{ValidId},6222021234561234,300.00,2024-03,2024-04-11 09:30:00,失败

            """, options);

        Assert.Empty(errors);
        Assert.Equal([PayoutStatus.Success, PayoutStatus.Failed], rows.Select(r => r.Status));
        Assert.Equal(new DateOnly(2024, 4, 10), rows[0].PaidAt.DateIn(TimeZoneInfo.Utc));
    }

    [Fact]
    public void Gbk_file_is_read_correctly_when_declared()
    {
        var bytes = Encoding.GetEncoding(936).GetBytes(RosterHeader + $"w1,张三,{ValidId},P1,中建三局劳务,钢筋班,6222021234561234,day,300.00,2024-01-01,\n");

        var (rows, errors) = Roster(new MemoryStream(bytes), new ImportOptions { Encoding = "gbk" });

        Assert.Empty(errors);
        Assert.Equal(("张三", "中建三局劳务", "钢筋班"), (rows[0].Name, rows[0].Employer, rows[0].Team));
    }

    [Fact]
    public void Gbk_file_is_detected_without_a_declaration()
    {
        var bytes = Encoding.GetEncoding(936).GetBytes(RosterHeader + $"w1,张三,{ValidId},P1,劳务公司,木工班,6222021234561234,day,300.00,2024-01-01,\n");

        var (rows, _) = Roster(new MemoryStream(bytes));

        Assert.Equal(("张三", "劳务公司"), (rows[0].Name, rows[0].Employer));
    }

    [Fact]
    public void Gb18030_file_with_four_byte_characters_is_read_correctly_when_declared_or_detected()
    {
        // 𠮷 (U+20BB7) is outside GBK: GB18030 writes it in four bytes.
        var text = RosterHeader + $"w1,吉𠮷祥,{ValidId},P1,劳务公司,木工班,6222021234561234,day,300.00,2024-01-01,\n";
        var bytes = Encoding.GetEncoding(54936).GetBytes(text);

        Assert.Equal("吉𠮷祥", Roster(new MemoryStream(bytes), new ImportOptions { Encoding = "gb18030" }).Rows[0].Name);
        Assert.Equal("吉𠮷祥", Roster(new MemoryStream(bytes)).Rows[0].Name);
    }

    [Fact]
    public void Bytes_valid_in_no_supported_encoding_stop_the_import_with_a_clear_error()
    {
        var bytes = Encoding.UTF8.GetBytes(RosterHeader + "w1,").Concat(new byte[] { 0xD5, 0xC5, 0x80, 0xFF, 0x20 })
            .Concat(Encoding.UTF8.GetBytes($",{ValidId},P1,E,T,6222021234561234,day,300.00,2024-01-01,\n")).ToArray();

        var e = Assert.Throws<CsvFileException>(() => Roster(new MemoryStream(bytes)));

        Assert.Contains("no supported encoding", e.Message, StringComparison.Ordinal);
        Assert.Contains("roster.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gbk_bytes_in_a_file_declared_utf8_are_an_error_not_mojibake()
    {
        var bytes = Encoding.GetEncoding(936).GetBytes(RosterHeader + $"w1,张三,{ValidId},P1,E,T,6222021234561234,day,300.00,2024-01-01,\n");

        var e = Assert.Throws<CsvFileException>(() => Roster(new MemoryStream(bytes), new ImportOptions { Encoding = "utf-8" }));

        Assert.Contains("declared utf-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf8_with_a_byte_order_mark_is_read()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(RosterHeader + $"w1,张三,{ValidId},P1,E,T,6222021234561234,day,300.00,2024-01-01,\n")).ToArray();

        Assert.Equal("w1", Assert.Single(Roster(new MemoryStream(bytes)).Rows).WorkerId);
    }

    [Fact]
    public void Punches_need_an_offset_and_a_known_direction()
    {
        var errors = new List<ImportError>();
        var punches = Importer().ReadPunches(Utf8("""
            event_id,site_id,device_sn,person_id,direction,occurred_at
            e1,s1,D1,w1,in,2024-03-01T08:00:00+08:00
            e2,s1,D1,w1,sideways,2024-03-01T08:00:00+08:00
            e3,s1,D1,w1,out,2024-03-01T08:00:00
            e4,s1,D1,w1,OUT,2024-03-01T00:00:00Z

            """), "punches.csv", errors).ToList();

        Assert.Equal(2, punches.Count);
        Assert.Equal([(3L, "direction"), (4L, "occurred_at")], errors.Select(e => (e.Line, e.Column!)));
    }

    [Fact]
    public void Punch_errors_of_a_file_read_in_parallel_keep_file_order_and_line_numbers()
    {
        // Far more rows than one parallel batch, so that several threads read the file.
        var text = new StringBuilder("event_id,site_id,device_sn,person_id,direction,occurred_at\n");
        var expected = new List<(long, string?)>();
        for (var i = 0; i < 200_000; i++)
        {
            var line = i + 2L;
            switch (i % 50_000)
            {
                case 7:
                    text.Append(CultureInfo.InvariantCulture, $"e{i},s1,D1,w{i},sideways,2024-03-01T08:00:00+08:00\n");
                    expected.Add((line, "direction"));
                    break;
                case 8:
                    text.Append(CultureInfo.InvariantCulture, $"e{i},s1,D1,w{i},in\n");
                    expected.Add((line, null));
                    break;
                case 9:
                    text.Append(CultureInfo.InvariantCulture, $"e{i},,D1,,in,2024-03-01T08:00:00.5\n");
                    expected.AddRange([(line, "site_id"), (line, "person_id"), (line, "occurred_at")]);
                    break;
                default:
                    text.Append(CultureInfo.InvariantCulture, $"e{i},s1,D1,w{i},{(i % 2 == 0 ? "in" : "OUT")},2024-03-01T08:00:00+08:00\n");
                    break;
            }
        }

        var errors = new List<ImportError>();
        var punches = Importer().ReadPunches(Utf8(text.ToString()), "punches.csv", errors).ToList();

        Assert.Equal(200_000 - 12, punches.Count);
        Assert.Equal("w199999", punches[^1].PersonId);
        Assert.Equal(expected, errors.Select(e => (e.Line, e.Column)));
    }

    [Theory]
    [InlineData("2024-03-01T08:00:00+08:00")]
    [InlineData("2024-02-29T23:59:59-05:30")]
    [InlineData("2024-03-01T00:00:00Z")]
    [InlineData("2023-02-29T08:00:00+08:00")]
    [InlineData("2024-03-01T24:00:00+08:00")]
    [InlineData("2024-03-01T08:00:60+08:00")]
    [InlineData("2024-03-01T08:00:00+14:00")]
    [InlineData("2024-03-01T08:00:00+15:00")]
    [InlineData("2024-03-01t08:00:00+08:00")]
    [InlineData("2024-03-01T08:00:00.25+08:00")]
    [InlineData("0001-01-01T00:00:00+08:00")]
    public void Fast_timestamp_reading_agrees_with_the_general_parser(string text)
    {
        var general = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var expected);
        var fromBytes = IsoTimestamp.TryParse(Encoding.ASCII.GetBytes(text), out var fastFromBytes);
        if (IsoTimestamp.TryParse(text, out var fast))
        {
            Assert.True(general, text);
            Assert.Equal(expected, fast);
            Assert.Equal(expected.Offset, fast.Offset);
        }

        Assert.Equal((IsoTimestamp.TryParse(text, out _), fast), (fromBytes, fastFromBytes));
    }

    [Fact]
    public void Fast_timestamp_reading_agrees_with_the_general_parser_on_random_values()
    {
        Gen.Select(Gen.Int[1899, 2101], Gen.Int[0, 13], Gen.Int[0, 32], Gen.Int[0, 25], Gen.Int[0, 61], Gen.Int[0, 61], Gen.Int[-15, 15], Gen.Int[0, 61])
            .Select((y, mo, d, h, mi, se, oh, om) => string.Create(CultureInfo.InvariantCulture, $"{y:0000}-{mo:00}-{d:00}T{h:00}:{mi:00}:{se:00}{(oh < 0 ? '-' : '+')}{Math.Abs(oh):00}:{om:00}"))
            .Sample(text =>
            {
                var general = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var expected);
                if (IsoTimestamp.TryParse(text, out var fast))
                {
                    Assert.True(general, text);
                    Assert.Equal((expected.UtcTicks, expected.Offset), (fast.UtcTicks, fast.Offset));
                }

                Assert.Equal(IsoTimestamp.TryParse(text, out _), IsoTimestamp.TryParse(Encoding.ASCII.GetBytes(text), out var fromBytes));
                Assert.Equal(fast, fromBytes);
            }, iter: 20_000);
    }

    [Fact]
    public void Timestamp_reading_that_keeps_the_last_date_agrees_with_reading_each_alone()
    {
        // Runs of one date (the case the cache is for) mixed with other dates, bad times after a good date, and other shapes.
        var times = Gen.Select(Gen.Int[1899, 2101], Gen.Int[0, 13], Gen.Int[0, 32], Gen.Int[0, 25], Gen.Int[0, 61], Gen.Int[0, 61], Gen.Int[-15, 15], Gen.Int[0, 61])
            .Select((y, mo, d, h, mi, se, oh, om) => string.Create(CultureInfo.InvariantCulture, $"{y:0000}-{mo:00}-{d:00}T{h:00}:{mi:00}:{se:00}{(oh < 0 ? '-' : '+')}{Math.Abs(oh):00}:{om:00}"));
        var sameDay = Gen.Select(Gen.Int[0, 25], Gen.Int[0, 61], Gen.Int[0, 61], Gen.OneOf(new[] { "Z", "+08:00", "-14:00", "+13:59", "+08:60", "x", "" }), Gen.OneOf(new[] { "T", " ", "t" }))
            .Select((h, mi, se, zone, t) => string.Create(CultureInfo.InvariantCulture, $"2024-03-01{t}{h:00}:{mi:00}:{se:00}{zone}"));
        Gen.OneOf(times, sameDay, Gen.OneOf(new[] { "2024-03-01T08:00:00.5+08:00", "2024-03-01T08:00:00+08:00 ", "2024-03-01", "not a time" })).Array[1, 50]
            .Sample(texts =>
            {
                var days = default(IsoTimestamp.DayCache);
                foreach (var text in texts)
                {
                    var bytes = Encoding.ASCII.GetBytes(text);
                    var expected = IsoTimestamp.TryParse(bytes, out var alone);
                    Assert.Equal((expected, alone, alone.Offset), (days.TryParse(bytes, out var kept), kept, kept.Offset));
                }
            }, iter: 5_000);
    }

    [Fact]
    public void A_bad_byte_after_megabytes_of_valid_utf8_is_reported_at_its_offset()
    {
        // Three-byte characters across the 1 MiB blocks of the check, then one byte that no encoding accepts.
        var rows = new StringBuilder(RosterHeader);
        while (rows.Length < 1_500_000)
        {
            rows.Append(CultureInfo.InvariantCulture, $"w{rows.Length},张三丰,{ValidId},P1,E,T,6222021234561234,day,300.00,2024-01-01,\n");
        }

        var valid = Encoding.UTF8.GetBytes(rows.ToString());
        var bytes = valid.Concat(new byte[] { 0xFF }).Concat(Encoding.UTF8.GetBytes("w,x\n")).ToArray();

        var e = Assert.Throws<CsvFileException>(() => Roster(new MemoryStream(bytes)));

        Assert.Contains($"not UTF-8 (byte {valid.Length} is invalid)", e.Message, StringComparison.Ordinal);
    }
}
