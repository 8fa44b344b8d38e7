package infer

import "testing"

func TestChunksPadTheLastWithTheFirstRow(t *testing.T) {
	rows := make([]int, ChunkRows+3)
	for i := range rows {
		rows[i] = 10 + i
	}
	chunks, real := Chunks(rows)
	if len(chunks) != 2 || len(chunks[0]) != ChunkRows || len(chunks[1]) != ChunkRows ||
		real[0] != ChunkRows || real[1] != 3 {
		t.Fatalf("%d chunks, real %v", len(chunks), real)
	}
	if chunks[1][0] != 10+ChunkRows || chunks[1][2] != 12+ChunkRows || chunks[1][3] != 10 || chunks[1][ChunkRows-1] != 10 {
		t.Fatalf("last chunk starts %v, pads with %d", chunks[1][:4], chunks[1][ChunkRows-1])
	}
	if rows[ChunkRows] != 10+ChunkRows || len(rows) != ChunkRows+3 {
		t.Fatal("the caller's rows were changed")
	}
	small, real := Chunks([]int{4, 5, 6})
	if len(small) != 1 || len(small[0]) != 3 || real[0] != 3 {
		t.Fatalf("%v %v", small, real)
	}
}
