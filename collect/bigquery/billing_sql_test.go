package bigquery

import (
	"strings"
	"testing"
)

// The export's own tables are partitioned by ingestion time, which the
// emulator cannot run: the query bounds _PARTITIONTIME there, the
// partitioning column of a table partitioned on one, and nothing on an
// unpartitioned table; only the detailed table's rows name the service.
func TestBillingSQLPartitions(t *testing.T) {
	for _, tc := range []struct {
		src  BillingSource
		want []string
	}{
		{BillingSource{Project: "p", Dataset: "d", Table: "t", Detailed: true, PartitionField: "_PARTITIONTIME"},
			[]string{"WHERE _PARTITIONTIME >= @part_start AND _PARTITIONTIME < @part_end", "IFNULL(resource.name, '') AS service", "FROM `p.d.t`"}},
		{BillingSource{Project: "p", Dataset: "d", Table: "t", PartitionField: "usage_start_time"},
			[]string{"WHERE `usage_start_time` >= @part_start AND `usage_start_time` < @part_end", "'' AS service"}},
		{BillingSource{Project: "p", Dataset: "d", Table: "t"}, []string{"WHERE TRUE\n"}},
	} {
		sql := billingSQL(&tc.src)
		for _, w := range tc.want {
			if !strings.Contains(sql, w) {
				t.Errorf("%+v: no %q in\n%s", tc.src, w, sql)
			}
		}
	}
}
