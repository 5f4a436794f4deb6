using System.Globalization;
using System.Text;
using CsCheck;
using SiteHub.Hub.Imports;
using SiteHub.Hub.Reconciliation;
using SiteHub.Hub.Tests.Reconciliation;

namespace SiteHub.Hub.Tests.Imports;

/// <summary>
/// The block scanner of plain CSV files against the general reader (CsvHelper): the same rows,
/// values and errors (line, column, reason), in the same order, whatever the file looks like.
/// </summary>
public sealed class PlainCsvTests
{
    private const string Header = "event_id,site_id,device_sn,person_id,direction,occurred_at";

    // Rows as they come, and as they go wrong.
    private static readonly string[] Rows =
    [
        "e1,s1,D1,w1,in,2024-03-01T08:00:00+08:00",
        "e2,s2,D1,w2,OUT,2024-03-01T17:00:00Z",
        "e3,s1,D1,w3,unknown,2024-02-29T23:59:59-05:30",
        "e4,s1,D1,w1,,2024-03-01T08:00:00.5+08:00",
        " e5 , s1 ,D1,\tw1\t, in ,2024-03-01T08:00:00+08:00 ",
        "e6,工地-1,D1,张三,in,2024-03-01T08:00:00+08:00",
        "e7,s1,D1,w1,ın,2024-03-01T08:00:00+08:00",
        "e8,s1,D1,w1,sideways,2024-03-01T08:00:00+08:00",
        "e9,s1,D1,w1,in,2024-03-01T08:00:00",
        "e10,s1,D1,w1,in,2024-13-01T08:00:00+08:00",
        "e11,s1,D1,w1,in,not a time",
        "e12,,D1,,in,",
        ",s1,D1,w1,in,2024-03-01T08:00:00+08:00",
        "e14,s1,D1,w1,in",
        "e15,s1,D1,w1,in,2024-03-01T08:00:00+08:00,extra",
        "e16,s1,D1,w1,in,2024-03-01T08:00:00+08:00,",
        "   ",
        ",",
        "e19",
        "e20,s1,D1,w1,in,2024-03-01 08:00:00+08:00",
        "e21,s1,D1,w1,\u3000in\u3000,2024-03-01T08:00:00+08:00",
        "e22,s1\u00A0,D1,w1,in,2024-03-01T08:00:00+08:00",
        "e23,s1,D1,w1,in,2024-03-01T08:00:00+14:00",
        "",
        "",
    ];

    // Lines that make a file not plain: the general reader then reads all of it.
    private static readonly string[] NotPlainRows =
    [
        "e30,\"s1\",D1,w1,in,2024-03-01T08:00:00+08:00",
        "e31,\"s,1\",D1,w1,in,2024-03-01T08:00:00+08:00",
        "e32,s1,D1,w1,in,2024-03-01T08:00:00+08:00\re33,s1,D1,w1,out,2024-03-01T17:00:00+08:00",
    ];

    private static CsvImporter Importer(bool plain) =>
        new(Scenario.Hasher, new ImportOptions(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), new DateOnly(2024, 6, 1)) { PlainReader = plain };

    private static (List<GatePunch> Punches, List<ImportError> Errors) Read(byte[] bytes, bool plain)
    {
        var errors = new List<ImportError>();
        var punches = Importer(plain).ReadPunches(new MemoryStream(bytes), "punches.csv", errors).ToList();
        return (punches, errors);
    }

    private static void AssertSameAsGeneralReader(byte[] bytes)
    {
        var general = Read(bytes, plain: false);
        var plain = Read(bytes, plain: true);
        Assert.Equal(general.Errors, plain.Errors);
        Assert.Equal(general.Punches, plain.Punches);
    }

    [Fact]
    public void Random_files_read_the_same_as_with_the_general_reader()
    {
        Gen.Select(Gen.OneOf(Rows).Array[0, 40], Gen.Bool.Array[41], Gen.Int[0, 2], Gen.Bool, Gen.Bool, Gen.Int[0, 20])
            .Select((lines, crlf, emptyBefore, bom, finalBreak, notPlain) =>
            {
                var text = new StringBuilder();
                text.Append(bom ? "\uFEFF" : "");
                text.Append(string.Concat(Enumerable.Repeat("\n", emptyBefore)));
                var all = new List<string> { Header };
                all.AddRange(lines);
                if (notPlain < NotPlainRows.Length && lines.Length > 0)
                {
                    all.Insert(1 + (lines.Length / 2), NotPlainRows[notPlain]);
                }

                for (var i = 0; i < all.Count; i++)
                {
                    text.Append(all[i]);
                    if (i < all.Count - 1 || finalBreak)
                    {
                        text.Append(crlf[Math.Min(i, crlf.Length - 1)] ? "\r\n" : "\n");
                    }
                }

                return text.ToString();
            })
            .Sample(text => AssertSameAsGeneralReader(Encoding.UTF8.GetBytes(text)), iter: 2_000);
    }

    // Read in one pass, in batches of small blocks, as reconcile reads: what the batches held after
    // the last restart, the errors, and how many times the read started again.
    private static (List<GatePunch> Punches, List<ImportError> Errors, int Restarts) ReadInOnePass(byte[] bytes, int blockSize)
    {
        var errors = new List<ImportError>();
        var punches = new List<GatePunch>();
        var restarts = 0;
        var importer = new CsvImporter(Scenario.Hasher, new ImportOptions(), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai"), new DateOnly(2024, 6, 1)) { PlainBlockSize = blockSize };
        var batches = importer.ReadPunchBatches<GatePunch>(
            new MemoryStream(bytes),
            "punches.csv",
            errors,
            () => (in PunchFields p) => new GatePunch(Encoding.UTF8.GetString(p.SiteId), Encoding.UTF8.GetString(p.PersonId), p.Direction, p.OccurredAt),
            restart: () =>
            {
                restarts++;
                punches.Clear();
            });
        foreach (var batch in batches)
        {
            punches.AddRange(batch);
        }

        return (punches, errors, restarts);
    }

    // Text that makes a file not plain UTF-8 when it comes after some blocks: the read starts again.
    private static readonly byte[][] Spoilers =
    [
        Encoding.UTF8.GetBytes("e40,\"s1\",D1,w1,in,2024-03-01T08:00:00+08:00\n"),
        Encoding.UTF8.GetBytes("e41,s1,D1,w1,in,2024-03-01T08:00:00+08:00\re42,s1,D1,w1,out,2024-03-01T17:00:00+08:00\n"),
        [.. Encoding.ASCII.GetBytes("e43,s1,D1,"), 0xD5, 0xC5, 0xC8, 0xFD, .. Encoding.ASCII.GetBytes(",in,2024-03-01T08:00:00+08:00\n")], // 张三 in GB18030: the file is GB18030
        [.. Encoding.ASCII.GetBytes("e44,s1,D1,w"), 0xFF, .. Encoding.ASCII.GetBytes(",in,2024-03-01T08:00:00+08:00\n")], // in no encoding: the import stops
    ];

    [Fact]
    public void Read_in_one_pass_random_files_give_the_rows_and_errors_of_the_general_reader()
    {
        Gen.Select(Gen.OneOf(Rows).Array[0, 60], Gen.Bool, Gen.Bool, Gen.Int[0, 8], Gen.Int[0, 60], Gen.Int[64, 400])
            .Select((lines, crlf, bom, spoiler, spoilerAt, blockSize) =>
            {
                var text = new StringBuilder(bom ? "\uFEFF" : "").Append(Header).Append(crlf ? "\r\n" : "\n");
                var bytes = new List<byte>(Encoding.UTF8.GetBytes(text.ToString()));
                for (var i = 0; i < lines.Length; i++)
                {
                    if (i == spoilerAt && spoiler < Spoilers.Length)
                    {
                        bytes.AddRange(Spoilers[spoiler]);
                    }

                    bytes.AddRange(Encoding.UTF8.GetBytes(lines[i] + (crlf ? "\r\n" : "\n")));
                }

                return (Bytes: bytes.ToArray(), BlockSize: blockSize, Spoiled: spoiler < Spoilers.Length && spoilerAt < lines.Length);
            })
            .Sample(file =>
            {
                List<GatePunch> generalPunches;
                List<ImportError> generalErrors;
                try
                {
                    (generalPunches, generalErrors) = Read(file.Bytes, plain: false);
                }
                catch (CsvFileException general)
                {
                    var e = Assert.Throws<CsvFileException>(() => ReadInOnePass(file.Bytes, file.BlockSize));
                    Assert.Equal(general.Message, e.Message);
                    return;
                }

                var (punches, errors, restarts) = ReadInOnePass(file.Bytes, file.BlockSize);
                Assert.Equal(generalErrors, errors);
                Assert.Equal(generalPunches, punches);
                Assert.InRange(restarts, 0, file.Spoiled ? 1 : 0);
            }, iter: 1_000);
    }

    [Fact]
    public void A_file_that_is_not_plain_after_some_blocks_is_read_again_from_its_start()
    {
        var text = new StringBuilder(Header + "\n");
        for (var i = 0; i < 200; i++)
        {
            text.Append(i == 5 ? Rows[13] : string.Create(CultureInfo.InvariantCulture, $"e{i},s1,D1,w{i},in,2024-03-01T08:00:00+08:00")).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.Append("e200,\"s1\",D1,w200,in,2024-03-01T08:00:00+08:00\n").Append(Rows[13]).ToString());

        var (punches, errors, restarts) = ReadInOnePass(bytes, blockSize: 256);

        // The error on line 7, found before the read started again, is reported once.
        Assert.Equal(1, restarts);
        Assert.Equal(200, punches.Count);
        Assert.Equal(("w0", "w200"), (punches[0].PersonId, punches[^1].PersonId));
        Assert.Equal([7L, 203L], errors.Select(e => e.Line));
    }

    [Fact]
    public void A_plain_file_is_read_in_one_pass_with_its_errors_at_the_end()
    {
        var text = new StringBuilder(Header + "\n");
        for (var i = 0; i < 200; i++)
        {
            text.Append(i % 50 == 7 ? Rows[7] : Rows[i % 6]).Append('\n');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var (punches, errors, restarts) = ReadInOnePass(bytes, blockSize: 256);

        Assert.Equal(0, restarts);
        Assert.Equal(4, errors.Count(e => e.Reason == "must be in, out or unknown"));
        var general = Read(bytes, plain: false);
        Assert.Equal(general.Errors, errors);
        Assert.Equal(general.Punches, punches);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_file_of_several_blocks_with_errors_at_block_ends_and_a_line_longer_than_a_block_reads_the_same(string lineBreak)
    {
        // Several 1 MiB blocks; the rows vary in length so that blocks end at different places in a
        // row, and one event id is longer than a block.
        var text = new StringBuilder(Header + lineBreak);
        for (var i = 0; text.Length < 4_500_000; i++)
        {
            var row = (i % 9_973) switch
            {
                0 => Rows[7],
                1 => Rows[13],
                2 => "",
                3 => Rows[5],
                4 => Rows[4],
                _ => string.Create(CultureInfo.InvariantCulture, $"e{i},s{i % 7},D1,w{new string('x', i % 13)}{i},{(i % 2 == 0 ? "in" : "out")},2024-03-01T08:{i % 60:00}:00+08:00"),
            };
            text.Append(row).Append(lineBreak);
            if (i == 30_000)
            {
                text.Append("e-long").Append('x', 1_500_000).Append(",s1,D1,w1,in,2024-03-01T08:00:00+08:00").Append(lineBreak);
            }
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var (punches, errors) = Read(bytes, plain: true);

        Assert.NotEmpty(errors);
        Assert.True(punches.Count > 50_000);
        AssertSameAsGeneralReader(bytes);
    }

    [Fact]
    public void A_header_alone_or_an_empty_body_gives_no_rows()
    {
        AssertSameAsGeneralReader(Encoding.UTF8.GetBytes(Header));
        AssertSameAsGeneralReader(Encoding.UTF8.GetBytes(Header + "\r\n\r\n\n"));
        Assert.Empty(Read(Encoding.UTF8.GetBytes(Header + "\n\n"), plain: true).Punches);
    }

    [Theory]
    [InlineData("a,b\nc,d\n", true)]
    [InlineData("a,b\r\nc,d\r\n", true)]
    [InlineData("a,b\r\nc,d", true)]
    [InlineData("a,\"b\"\n", false)]
    [InlineData("a,b\rc,d\n", false)]
    [InlineData("a,b\r", false)]
    [InlineData("a,b\r\r\n", false)]
    public void A_file_is_plain_without_quotes_and_lone_carriage_returns(string text, bool plain)
    {
        // Fed in every split of two pieces, as the blocks of the encoding check cut it.
        var bytes = Encoding.UTF8.GetBytes(text);
        for (var cut = 0; cut <= bytes.Length; cut++)
        {
            var check = new PlainCsv.ShapeCheck();
            check.Add(bytes.AsSpan(0, cut));
            check.Add(bytes.AsSpan(cut));
            Assert.Equal(plain, check.End());
        }
    }

    [Fact]
    public void The_line_splitter_cuts_and_splits_as_NextLine_and_Split_do()
    {
        // Bytes across several 64-byte chunks, from an alphabet of separators and a few others.
        Gen.OneOf(Gen.Const((byte)','), Gen.Const((byte)'\n'), Gen.Const((byte)'\r'), Gen.Const((byte)'a'), Gen.Const((byte)0xC3), Gen.Const((byte)' ')).Array[0, 300]
            .Select(Gen.Int[1, 8])
            .Sample((bytes, room) =>
            {
                var expectedBounds = new int[room];
                var bounds = new int[room];
                var splitter = new PlainCsv.LineSplitter(bytes);
                ReadOnlySpan<byte> rest = bytes;
                while (!rest.IsEmpty)
                {
                    var start = bytes.Length - rest.Length;
                    var line = PlainCsv.NextLine(ref rest);
                    var expectedFields = PlainCsv.Split(line, expectedBounds);

                    Assert.True(splitter.TryNext(bounds, out var at, out var length, out var fields));
                    Assert.Equal((start, line.Length, expectedFields), (at, length, fields));
                    Assert.Equal(expectedBounds.Take(Math.Min(room, expectedFields + 1)), bounds.Take(Math.Min(room, fields + 1)));
                }

                Assert.False(splitter.TryNext(bounds, out _, out _, out _));
            }, iter: 5_000);
    }

    [Fact]
    public void Fields_are_split_at_every_comma_and_counted_beyond_the_room_for_them()
    {
        Span<int> bounds = stackalloc int[4];

        Assert.Equal(3, PlainCsv.Split("a,,bc"u8, bounds));
        Assert.Equal([-1, 1, 2, 5], bounds.ToArray());
        Assert.Equal(5, PlainCsv.Split(",,,,"u8, bounds));
        Assert.Equal(1, PlainCsv.Split("abc"u8, bounds));
    }
}
