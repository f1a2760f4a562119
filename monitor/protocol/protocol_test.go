package protocol

import (
	"bytes"
	"errors"
	"testing"
)

func TestFrames(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFrame(&b, FrameStdout, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFrame(&b, FrameExit, []byte("3")); err != nil {
		t.Fatal(err)
	}
	typ, p, err := ReadFrame(&b)
	if err != nil || typ != FrameStdout || string(p) != "hi" {
		t.Fatalf("first frame %d %q %v", typ, p, err)
	}
	typ, p, err = ReadFrame(&b)
	if err != nil || typ != FrameExit || string(p) != "3" {
		t.Fatalf("second frame %d %q %v", typ, p, err)
	}
	if _, _, err := ReadFrame(&b); err == nil {
		t.Fatal("a frame from nothing")
	}
	b.Write([]byte{1, 0xff, 0xff, 0xff, 0xff})
	if _, _, err := ReadFrame(&b); err == nil {
		t.Fatal("an oversized frame was accepted")
	}
}

func TestMessagesRoundTrip(t *testing.T) {
	var b bytes.Buffer
	c := NewConn(&b)
	if err := c.Send(Message{Started: &Started{Pid: 42}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(Message{Exited: &Exited{Code: 3, Restarting: true}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Send(Message{Start: &Start{Version: Version, Dir: "/d"}}); err != nil {
		t.Fatal(err)
	}
	m, err := c.WaitFor(KindStarted, KindError)
	if err != nil || m.Started == nil || m.Started.Pid != 42 {
		t.Fatalf("started: %+v %v", m, err)
	}
	m, err = c.Recv()
	if err != nil || m.Kind() != KindExited || m.Exited.Code != 3 || !m.Exited.Restarting {
		t.Fatalf("exited: %+v %v", m, err)
	}
	if m, err := c.WaitFor(KindAck); !errors.Is(err, ErrUnexpected) || m.Start == nil || m.Start.Dir != "/d" {
		t.Fatalf("WaitFor(ack) of a start = %+v, %v", m, err)
	}
	for _, want := range []Message{{Detach: &Detach{}}, {Detached: &Detached{}}} {
		if err := c.Send(want); err != nil {
			t.Fatal(err)
		}
		m, err := c.WaitFor(KindExited, KindDetach, KindDetached)
		if err != nil || m.Kind() != want.Kind() || m.Kind() == "" {
			t.Fatalf("%s came back as %+v (%q), %v", want.Kind(), m, m.Kind(), err)
		}
	}
}

func TestMessagesOfNoSingleKind(t *testing.T) {
	var b bytes.Buffer
	c := NewConn(&b)
	if err := c.Send(Message{}); err == nil {
		t.Fatal("sent an empty message")
	}
	if err := c.Send(Message{Ack: &Ack{}, Started: &Started{}}); err == nil {
		t.Fatal("sent a message of two kinds")
	}
	c = NewConn(bytes.NewBufferString(`{"ack":{},"exited":{"code":1}}` + "\n"))
	if _, err := c.Recv(); err == nil {
		t.Fatal("received a message of two kinds")
	}
}
